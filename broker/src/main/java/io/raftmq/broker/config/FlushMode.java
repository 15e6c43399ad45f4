package io.raftmq.broker.config;

/**
 * How the commit log forces written records to disk (config key {@code flushMode}): {@link #SYNC} is group commit
 * (forced as soon as anything is pending, required by {@code durability=quorum-fsync}); {@link #ASYNC} forces every
 * {@code flushIntervalMs}.
 */
public enum FlushMode {
    SYNC,
    ASYNC
}
