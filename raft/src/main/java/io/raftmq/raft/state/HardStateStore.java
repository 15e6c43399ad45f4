package io.raftmq.raft.state;

/**
 * Port: durable storage of a node's {@link HardState}. The driver saves the hard state of every
 * {@link io.raftmq.raft.core.Ready} that carries one, before sending that Ready's messages.
 *
 * <p>Threading: one thread (the raft agent). Errors: {@link HardStateStoreException} when the state cannot be
 * read or made durable (the driver stops the node: a vote that is not durable must never be sent).
 */
public interface HardStateStore {
    /** The last saved state, or {@link HardState#EMPTY} if nothing was ever saved. */
    HardState load();

    /** Replaces the saved state; durable (fsynced) on return. */
    void save(HardState state);
}
