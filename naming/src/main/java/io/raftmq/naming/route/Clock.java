package io.raftmq.naming.route;

/**
 * The time port of the NameServer: broker expiry reads time only through it, so tests drive expiry with a
 * manual clock and stay deterministic. Production uses {@link #MONOTONIC} (never jumps with wall-clock changes).
 */
@FunctionalInterface
public interface Clock {
    /** A monotonic clock in milliseconds from {@link System#nanoTime()} (arbitrary origin). */
    Clock MONOTONIC = () -> System.nanoTime() / 1_000_000L;

    /** Milliseconds since an arbitrary, fixed origin; never decreases. */
    long nowMs();
}
