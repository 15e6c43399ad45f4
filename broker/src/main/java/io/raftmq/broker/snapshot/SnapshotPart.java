package io.raftmq.broker.snapshot;

/**
 * One named piece of a broker snapshot (docs/snapshots.md): a feature's replicated state as of the last applied
 * entry, encoded by the feature itself. The broker's state machine asks every registered part to {@link #save} when
 * it takes a snapshot and to {@link #load} when it restores one; a snapshot file keeps each part's bytes under its
 * name with its own checksum, so parts evolve independently.
 *
 * <p>Threads: the raft agent thread only (the same thread that applies entries, so a part sees a consistent state
 * without locks). Errors: {@link #load} throws {@link IllegalArgumentException} for bytes it cannot decode; the
 * snapshot is then not used.
 */
public interface SnapshotPart {
    /** How a snapshot is being restored. */
    enum RestoreMode {
        /** At start, from this member's own snapshot: the log after the snapshot's index is intact on disk. */
        START,
        /** From a leader's snapshot: this member's log restarts empty right after the snapshot's index. */
        INSTALL
    }

    /** Stable unique name ("metadata", "queue-locks", ...): US-ASCII, at most 64 bytes. */
    String name();

    /** This part's state as of the last applied entry. The returned array is owned by the caller. */
    byte[] save();

    /** Replaces this part's state with {@code data}, which {@link #save} produced (possibly on another member). */
    void load(byte[] data, RestoreMode mode);

    /** The snapshot being restored has no such part (taken before the part existed): the state of a new group. */
    default void loadAbsent(RestoreMode mode) {
        // most parts start empty anyway
    }
}
