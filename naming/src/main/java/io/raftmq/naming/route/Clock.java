package io.raftmq.naming.route;

/**
 * The time port of the NameServer: broker expiry reads time only through it, so tests drive expiry with a
 * manual clock and stay deterministic. The production adapter is {@code NamingMain.MONOTONIC_CLOCK} (monotonic,
 * never jumps with wall-clock changes), the only place naming reads the system's time.
 */
@FunctionalInterface
public interface Clock {
    /** Milliseconds since an arbitrary, fixed origin; never decreases. */
    long nowMs();
}
