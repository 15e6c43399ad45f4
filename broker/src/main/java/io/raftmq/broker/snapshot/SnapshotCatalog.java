package io.raftmq.broker.snapshot;

/**
 * What retention asks the snapshot store (docs/snapshots.md rule 3): the newest persisted, valid snapshot whose
 * next position is at or below the feature floor. The log may be compacted up to that snapshot's index, and it is
 * the snapshot a leader sends to a follower that needs entries below the log's first index.
 */
public interface SnapshotCatalog {
    /** The compaction point, or null while no snapshot qualifies (then nothing may be deleted). Any thread. */
    SnapshotInfo compactionPoint();
}
