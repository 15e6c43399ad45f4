package io.raftmq.commitlog.flush;

/**
 * When the flush agent forces the log to disk: the commitlog's one durability setting
 * ({@code CommitLogConfig.flushMode()}).
 * <ul>
 *   <li>{@link #SYNC}: group commit. The agent forces as soon as anything is pending, so concurrent appends
 *       share one force; callers wait (or register a callback) for the force that covers their record.
 *   <li>{@link #ASYNC}: the agent forces every {@code CommitLogConfig.flushIntervalMs()}.
 *   <li>{@link #MANUAL}: no agent thread; the owner calls {@code CommitLog.flush()} (simulation, tests).
 * </ul>
 */
public enum FlushMode {
    SYNC,
    ASYNC,
    MANUAL
}
