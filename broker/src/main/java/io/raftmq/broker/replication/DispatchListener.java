package io.raftmq.broker.replication;

/**
 * Hook: told after committed messages reached the ConsumeQueues and the key index, so held pulls (long polling)
 * can be answered. Called on the raft agent thread after each dispatched MESSAGE entry, once per run of consecutive
 * messages of one (topic, queueId) in that entry: implementations must be quick and must never block (hand the
 * wake-up to another thread).
 */
@FunctionalInterface
public interface DispatchListener {
    /** The queue's committed messages now end at {@code maxOffset} (the next offset to be written). */
    void onDispatched(String topic, int queueId, long maxOffset);
}
