package io.raftmq.broker.snapshot;

/**
 * Where a persisted snapshot stands in the log: it covers every entry up to {@code index} (of term {@code term}),
 * and the next entry's record starts at physical offset {@code nextPosition} of the commit log.
 *
 * @param index        last entry the snapshot covers
 * @param term         that entry's term
 * @param nextPosition commit-log offset of entry {@code index + 1}
 */
public record SnapshotInfo(long index, long term, long nextPosition) {
    public SnapshotInfo {
        if (index < 0 || term < 0 || nextPosition < 0) {
            throw new IllegalArgumentException("snapshot index, term and position must be >= 0");
        }
    }
}
