package io.raftmq.broker.retention;

import io.raftmq.commitlog.retention.SegmentSpan;

import java.util.List;

/**
 * What one retention run decided: the head segments to delete (oldest first, contiguous from the log's start), why
 * each goes, and what kept the next one if a floor did.
 *
 * @param deletions  segments to delete, oldest first; empty when nothing goes
 * @param heldBy     the floor that kept the next segment the policy would have deleted ("no snapshot", "applied
 *                   index 12", "live follower 3 at 10", ...), null when no floor held anything back
 * @param diskWarning the disk is above the warning level (producers' sends are refused)
 * @param snapshotWanted the snapshot floor (none yet, or one too old) held a segment back: a fresher snapshot
 *                   would let it go
 */
public record RetentionPlan(List<Deletion> deletions, String heldBy, boolean diskWarning, boolean snapshotWanted) {
    public RetentionPlan {
        deletions = List.copyOf(deletions);
    }

    /** Why a segment goes. */
    public enum Reason {
        /** Its newest record is older than fileReservedTime, and this is a deleteWhen hour. */
        EXPIRED("expired"),
        /** Expired, outside the deleteWhen hours, but the disk is above diskMaxUsedSpaceRatio. */
        EXPIRED_DISK_ABOVE_MAX_USED("expired, disk above diskMaxUsedSpaceRatio"),
        /** Not expired, but the disk is above diskSpaceCleanForciblyRatio: the oldest go first. */
        FORCED("forced, disk above diskSpaceCleanForciblyRatio");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** One segment to delete and why. */
    public record Deletion(SegmentSpan span, Reason reason) {
    }

    /** The last index the deletions cover, 0 when there are none. */
    public long throughIndex() {
        return deletions.isEmpty() ? 0 : deletions.get(deletions.size() - 1).span().lastIndex();
    }
}
