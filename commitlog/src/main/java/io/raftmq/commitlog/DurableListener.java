package io.raftmq.commitlog;

/**
 * Callback for {@link CommitLog#whenDurable(long, DurableListener)}. Runs on the flush agent's thread (or on the
 * caller's thread when already durable, or inside {@link CommitLog#flush()} in MANUAL mode); it must be quick and
 * must not call back into blocking log methods.
 */
public interface DurableListener {

    /** Everything up to {@code durablePosition} (exclusive), which covers the requested position, is durable. */
    void onDurable(long durablePosition);

    /** Durability cannot be reached: the log failed (fenced) or was closed. */
    void onFailure(CommitLogException cause);
}
