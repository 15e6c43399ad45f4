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

    /**
     * A leader's snapshot this member is installing: durable on return, since the log below it is discarded right
     * after (a restart must find it). Agent thread; may block on I/O (installs are rare).
     */
    default void install(Snapshot snapshot) {
        offer(snapshot);
    }

    /** The snapshot to send, or null if none qualifies yet. */
    Snapshot latest();
}
