package io.raftmq.commitlog.flush;

import io.raftmq.commitlog.error.CommitLogException;

/**
 * Callback for {@code CommitLog.whenDurable} (and {@link GroupCommit#whenDurable}). Runs on the flush agent's thread
 * while it holds the log's force lock (or on the caller's thread when already durable, or inside
 * {@code CommitLog.flush()}). It must be quick (typically: enqueue an event for the Raft agent) and may call only the
 * lock-free getters of the log ({@code durablePosition()}, {@code lastIndex()}, ...): calling append, truncate, flush,
 * reset or retention from it can deadlock.
 */
public interface DurableListener {

    /** Everything up to {@code durablePosition} (exclusive), which covers the requested position, is durable. */
    void onDurable(long durablePosition);

    /** Durability cannot be reached: the log failed (fenced) or was closed. */
    void onFailure(CommitLogException cause);
}
