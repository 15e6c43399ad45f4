package io.raftmq.raft.statemachine;

import io.raftmq.raft.log.Entry;

/**
 * Port: the replicated application. The driver applies committed entries in index order, takes snapshots so
 * the log can be compacted, and restores a snapshot a leader sent when this node fell behind its first
 * retained index. Entries of Raft-internal types ({@code type < Entry.TYPE_APPLICATION_MIN}) are applied too,
 * so the application can track its applied index; it ignores their payload.
 *
 * <p>Threading: called by the raft agent only. Errors: implementations throw their own typed exceptions; the
 * driver stops the node on any of them, since a replica that failed to apply cannot safely continue.
 */
public interface StateMachine {
    /** Applies one committed entry; called with strictly increasing, contiguous indexes. */
    void apply(Entry entry);

    /** Image of the state after the last applied entry. The returned data is owned by the caller. */
    Snapshot takeSnapshot();

    /**
     * Whether {@link #takeSnapshot} can give the image of the last applied entry now. A state machine that rebuilds
     * derived data ahead of its applied entry (a restarted broker replaying below what it had already dispatched,
     * docs/snapshots.md "Restore at start") says no until the replay has caught up; the agent then takes the
     * snapshot later (a request stays pending) and sends a follower none meanwhile. Default: always.
     */
    default boolean canSnapshot() {
        return true;
    }

    /** Replaces the whole state with the snapshot; the next applied entry is {@code snapshot.index() + 1}. */
    void restore(Snapshot snapshot);
}
