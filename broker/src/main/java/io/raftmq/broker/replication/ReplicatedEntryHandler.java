package io.raftmq.broker.replication;

/**
 * Applies committed entries of one broker entry type in 22..63 ({@link io.raftmq.broker.entry.EntryType}): the
 * state of a feature that lives in the Raft log (delivery progress of due messages, transaction resolutions, queue
 * locks). Registered with {@link BrokerStateMachine#register} before the raft agent starts, so a replay from the
 * start of the log rebuilds the state on every member in the same order.
 *
 * <p>Threads: the raft agent thread only. Must be deterministic (no clock, no randomness, nothing but the entry and
 * the state built from earlier entries) and must not block. A malformed payload must throw (the node stops rather
 * than diverge); a payload that is well formed but refers to something gone is a no-op.
 */
@FunctionalInterface
public interface ReplicatedEntryHandler {
    /** Applies the entry at {@code index} with {@code payload} (owned by the caller; do not keep it). */
    void apply(long index, byte[] payload);
}
