package io.raftmq.raft.driver;

/**
 * Port: monotonic time in nanoseconds, the only clock the driver reads (the core counts ticks). Production uses
 * {@link #SYSTEM}; tests and the simulator pass a manual clock so that runs replay exactly.
 */
@FunctionalInterface
public interface NanoClock {
    /** {@link System#nanoTime()}. */
    NanoClock SYSTEM = System::nanoTime;

    /** Monotonic nanoseconds; only differences are meaningful. */
    long nanoTime();
}
