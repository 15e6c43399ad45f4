package io.raftmq.commitlog.time;

/**
 * The time port of the commitlog and of the broker built on it: monotonic nanoseconds for timeouts, waits and
 * statistics, wall-clock milliseconds for store timestamps, retention by age and "today" counters. Nothing in these
 * modules reads {@code System.nanoTime()} or {@code System.currentTimeMillis()} directly; production passes
 * {@link #SYSTEM}, tests and simulations pass a manual clock so that a run replays exactly.
 *
 * <p>Thread safety: implementations may be read from any thread.
 */
public interface Clock {
    /** The JVM's clocks. */
    Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long wallMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public String toString() {
            return "Clock.SYSTEM";
        }
    };

    /** Monotonic nanoseconds with an arbitrary origin; only differences are meaningful; never decreases. */
    long nanoTime();

    /** Milliseconds since the Unix epoch; may jump when the system clock is set. */
    long wallMillis();
}
