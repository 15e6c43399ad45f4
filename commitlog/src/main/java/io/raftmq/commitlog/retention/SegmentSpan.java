package io.raftmq.commitlog.retention;

/**
 * One sealed segment of the log as a retention policy sees it: which records it holds, how old its newest one is and
 * how many bytes deleting it frees. Listed by {@code CommitLog.sealedSegments}, oldest first; the active segment (the
 * one being written) is never listed, so every span listed may be deleted once the policy and the caller's floor
 * allow it.
 *
 * @param basePosition    absolute position of the segment's first byte
 * @param firstIndex      index of its first record (the log's first index for the first segment)
 * @param lastIndex       index of its last record; {@code firstIndex - 1} when it holds none
 * @param lastTimestampMs store timestamp of its last record, {@link Long#MIN_VALUE} when it holds none
 * @param bytes           size of the segment file (every segment has the log's segment size)
 */
public record SegmentSpan(long basePosition, long firstIndex, long lastIndex, long lastTimestampMs, long bytes) {
    public SegmentSpan {
        if (basePosition < 0 || firstIndex < 1 || lastIndex < firstIndex - 1 || bytes < 1) {
            throw new IllegalArgumentException("segment span out of range: base " + basePosition + ", indexes ["
                + firstIndex + ", " + lastIndex + "], bytes " + bytes);
        }
    }

    /** Whether the segment holds at least one record. */
    public boolean holdsRecords() {
        return lastIndex >= firstIndex;
    }
}
