package io.raftmq.raft.statemachine;

/**
 * Port: where the raft agent keeps the snapshots it takes (every {@code snapshotIntervalEntries} applied entries)
 * and finds the one a leader sends to a follower whose next entry was compacted away. An implementation may
 * persist on another thread; {@link #latest} must only return a snapshot that is durable, and the log must never
 * be compacted past the index of the snapshot {@link #latest} returns (docs/snapshots.md).
 *
 * <p>Threads: {@link #offer} is called on the agent thread and must not block on I/O; {@link #latest} on the agent
 * thread too (it may read a file, rarely: only when a follower needs a snapshot).
 */
public interface SnapshotStore {
    /** A snapshot the agent just took (membership included). */
    void offer(Snapshot snapshot);

    /** The snapshot to send, or null if none qualifies yet. */
    Snapshot latest();
}
