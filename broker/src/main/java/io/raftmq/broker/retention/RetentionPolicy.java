package io.raftmq.broker.retention;

import io.raftmq.broker.retention.RetentionPlan.Deletion;
import io.raftmq.broker.retention.RetentionPlan.Reason;
import io.raftmq.broker.snapshot.SnapshotInfo;
import io.raftmq.commitlog.retention.SegmentSpan;
import io.raftmq.raft.driver.FollowerProgress;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides which whole head segments of the commit log may go (docs/snapshots.md "Retention"). Pure: no I/O, no
 * clock, no threads; the same inputs give the same plan.
 *
 * <pre>
 *  each sealed segment, oldest first, while fewer than segmentsPerRunMax went:
 *    expired (newest record older than fileReservedTime, or no record)
 *        and a deleteWhen hour                      -> EXPIRED
 *        and disk used > diskMaxUsedSpaceRatio      -> EXPIRED_DISK_ABOVE_MAX_USED
 *    disk used > diskSpaceCleanForciblyRatio        -> FORCED (at most FORCED_SEGMENTS_PER_RUN_MAX per run)
 *    otherwise                                      -> stop: only whole segments from the head go
 *  and only while the segment lies at or below the floor, the lowest of
 *    the compaction point (its index and its next position; no snapshot: nothing goes),
 *    the applied index, the dispatched index (derived files must stay rebuildable from the kept log),
 *    on a leader with disk used <= diskMaxUsedSpaceRatio: the match index of every follower heard from within
 *    retentionFollowerSilentMsMax (a silent one, or any when the disk is fuller, is caught up by snapshot instead)
 * </pre>
 */
public final class RetentionPolicy {
    private final RetentionSettings settings;

    public RetentionPolicy(RetentionSettings settings) {
        this.settings = settings;
    }

    /** The plan for {@code in}. */
    public RetentionPlan plan(RetentionInputs in) {
        Floor floor = floor(in);
        boolean deleteHour = settings.deleteHours().contains(Instant.ofEpochMilli(in.nowMs()).atZone(settings.zone())
            .getHour());
        List<Deletion> out = new ArrayList<>();
        int forced = 0;
        String heldBy = null;
        boolean snapshotWanted = false;
        for (SegmentSpan s : in.segments()) {
            Reason r = reason(s, in, deleteHour);
            boolean overForcedQuota = r == Reason.FORCED && forced >= RetentionSettings.FORCED_SEGMENTS_PER_RUN_MAX;
            if (r == null || overForcedQuota || out.size() >= settings.segmentsPerRunMax()) {
                break;
            }
            if (!floor.allows(s)) {
                heldBy = floor.why;
                snapshotWanted = floor.bySnapshot;
                break;
            }
            out.add(new Deletion(s, r));
            forced += r == Reason.FORCED ? 1 : 0;
        }
        return new RetentionPlan(out, heldBy, in.usedRatio() > settings.warningRatio(), snapshotWanted);
    }

    /** Why {@code s} may go by age and disk usage alone, or null if it must stay. */
    private Reason reason(SegmentSpan s, RetentionInputs in, boolean deleteHour) {
        boolean expired = !s.holdsRecords() || in.nowMs() - s.lastTimestampMs() > settings.reservedMs();
        if (expired && deleteHour) {
            return Reason.EXPIRED;
        }
        if (expired && in.usedRatio() > settings.maxUsedRatio()) {
            return Reason.EXPIRED_DISK_ABOVE_MAX_USED;
        }
        return in.usedRatio() > settings.forciblyRatio() ? Reason.FORCED : null;
    }

    private Floor floor(RetentionInputs in) {
        SnapshotInfo cp = in.compactionPoint();
        if (cp == null) {
            return new Floor(0, 0, "no snapshot to compact to", true);
        }
        Floor f = new Floor(cp.index(), cp.nextPosition(), "snapshot at index " + cp.index(), true);
        // the entry after a deleted segment (it may have sealed it) must be applied, so committed: docs/storage.md
        // "Retention keeps the segment of an uncommitted seal"
        f = f.lower(in.appliedIndex() - 1, "applied index " + in.appliedIndex());
        f = f.lower(in.dispatchedIndex(), "dispatched index " + in.dispatchedIndex());
        if (in.leader() && in.usedRatio() <= settings.maxUsedRatio()) {
            for (FollowerProgress p : in.followers()) {
                if (p.silentMs() <= settings.followerSilentMsMax()) {
                    f = f.lower(p.matchIndex(), "live follower " + p.nodeId() + " at index " + p.matchIndex());
                }
            }
        }
        return f;
    }

    /**
     * Nothing above {@code index}, no segment reaching past {@code position}; {@code why} names the lowest bound,
     * {@code bySnapshot} whether that is the snapshot (a fresher one would lower nothing else).
     */
    private record Floor(long index, long position, String why, boolean bySnapshot) {
        Floor lower(long other, String otherWhy) {
            return other < index ? new Floor(other, position, otherWhy, false) : this;
        }

        boolean allows(SegmentSpan s) {
            return s.lastIndex() <= index && s.basePosition() + s.bytes() <= position;
        }
    }
}
