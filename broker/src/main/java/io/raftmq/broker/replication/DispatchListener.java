package io.raftmq.broker.replication;

/**
 * Hook: told after committed MESSAGE entries reached the ConsumeQueues and the key index, so held pulls (long
 * polling) can be answered. Called on the raft agent thread after every dispatch: implementations must be quick and
 * must never block (hand the wake-up to another thread).
 */
@FunctionalInterface
public interface DispatchListener {
    /** Every message of every entry with index {@code <= committedIndex} is now in the derived data. */
    void onDispatched(long committedIndex);
}
