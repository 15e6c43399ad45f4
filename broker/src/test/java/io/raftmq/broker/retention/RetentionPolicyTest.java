package io.raftmq.broker.retention;

import io.raftmq.broker.retention.RetentionPlan.Deletion;
import io.raftmq.broker.retention.RetentionPlan.Reason;
import io.raftmq.broker.snapshot.SnapshotInfo;
import io.raftmq.commitlog.retention.SegmentSpan;
import io.raftmq.raft.driver.FollowerProgress;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: every retention decision of {@link RetentionPolicy}: expired segments go at a deleteWhen hour, or at any
 * hour above diskMaxUsedSpaceRatio; above diskSpaceCleanForciblyRatio the oldest go even unexpired, two per run; only
 * whole segments from the head, at most deleteFileBatchMax per run; never past the compaction point (index and
 * position; none: nothing), the applied or the dispatched index, nor on a leader past a live follower's match unless
 * the disk is above diskMaxUsedSpaceRatio. Method: pure inputs (a fixed clock in UTC, a disk ratio, six 1 MiB
 * segments of 100 entries whose newest records are 1 h apart), plus a seeded random sweep (seed printed on failure)
 * checking the invariants of any plan.
 */
class RetentionPolicyTest {
    private static final long HOUR = 3_600_000L;
    private static final long MIB = 1 << 20;
    /** 2026-12-06 00:00 UTC. */
    private static final long DAY = 1_796_515_200_000L;
    /** Segment i's newest record at DAY + i hours. */
    private static final List<SegmentSpan> SEGMENTS = segments(6);
    private static final RetentionSettings SETTINGS = new RetentionSettings(10 * HOUR, Set.of(4), ZoneOffset.UTC,
        0.75, 0.85, 0.90, 1000, 10, 60_000);
    private static final RetentionPolicy POLICY = new RetentionPolicy(SETTINGS);
    private static final SnapshotInfo SNAPSHOT_AT_END = new SnapshotInfo(600, 3, 6 * MIB);

    private static List<SegmentSpan> segments(int n) {
        List<SegmentSpan> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(new SegmentSpan(i * MIB, 100L * i + 1, 100L * (i + 1), DAY + i * HOUR, MIB));
        }
        return l;
    }

    /** At {@code hourOfDay} on the next day (so segments 0..k are expired when hourOfDay + 24 - 10 > k). */
    private static RetentionInputs at(long nowMs, double used) {
        return new RetentionInputs(nowMs, used, SEGMENTS, SNAPSHOT_AT_END, 650, 650, false, List.of());
    }

    private static List<Long> deletedBases(RetentionPlan p) {
        return p.deletions().stream().map(d -> d.span().basePosition() / MIB).toList();
    }

    private static List<Reason> reasons(RetentionPlan p) {
        return p.deletions().stream().map(Deletion::reason).toList();
    }

    @Test
    void expiredSegmentsGoOnlyAtADeleteWhenHourOldestFirst() {
        long fourAm = DAY + 4 * HOUR + 30 * 60_000; // segments newest at 00..05 h: older than 10 h at 14:xx only
        RetentionPlan none = POLICY.plan(at(fourAm, 0.5));
        assertThat(none.deletions()).as("at 04:30 nothing is older than 10 h").isEmpty();
        long nextDayFourAm = fourAm + 24 * HOUR;
        RetentionPlan all = POLICY.plan(at(nextDayFourAm, 0.5));
        assertThat(deletedBases(all)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(reasons(all)).containsOnly(Reason.EXPIRED);
        assertThat(all.throughIndex()).isEqualTo(600);
        assertThat(POLICY.plan(at(nextDayFourAm + HOUR, 0.5)).deletions()).as("05:30 is not a deleteWhen hour")
            .isEmpty();
        long fourteenThirty = DAY + 14 * HOUR + 30 * 60_000; // segments 0..4 are older than 10 h, 5 is not
        RetentionPlan disk = POLICY.plan(at(fourteenThirty, 0.80));
        assertThat(deletedBases(disk)).as("above diskMaxUsedSpaceRatio: any hour, expired only")
            .containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(reasons(disk)).containsOnly(Reason.EXPIRED_DISK_ABOVE_MAX_USED);
        assertThat(POLICY.plan(at(fourteenThirty, 0.75)).deletions()).as("75 % is not above 75 %").isEmpty();
    }

    @Test
    void aboveTheForciblyRatioTheOldestGoEvenUnexpiredTwoPerRun() {
        RetentionPlan p = POLICY.plan(at(DAY + 6 * HOUR, 0.86));
        assertThat(deletedBases(p)).containsExactly(0L, 1L);
        assertThat(reasons(p)).containsOnly(Reason.FORCED);
        long tenThirty = DAY + 10 * HOUR + 30 * 60_000; // segment 0 expired, the rest not
        RetentionPlan mixed = POLICY.plan(at(tenThirty, 0.86));
        assertThat(reasons(mixed)).containsExactly(Reason.EXPIRED_DISK_ABOVE_MAX_USED, Reason.FORCED, Reason.FORCED);
        assertThat(POLICY.plan(at(DAY + 6 * HOUR, 0.85)).deletions()).isEmpty();
        assertThat(POLICY.plan(at(DAY + 6 * HOUR, 0.91)).diskWarning()).isTrue();
        assertThat(POLICY.plan(at(DAY + 6 * HOUR, 0.90)).diskWarning()).isFalse();
    }

    @Test
    void atMostDeleteFileBatchMaxPerRunAndAnEmptySegmentCountsAsExpired() {
        RetentionPolicy three = new RetentionPolicy(new RetentionSettings(10 * HOUR, Set.of(4), ZoneOffset.UTC, 0.75,
            0.85, 0.90, 1000, 3, 60_000));
        assertThat(deletedBases(three.plan(at(DAY + 28 * HOUR, 0.1)))).containsExactly(0L, 1L, 2L);
        SegmentSpan empty = new SegmentSpan(0, 1, 0, Long.MIN_VALUE, MIB);
        RetentionInputs in = new RetentionInputs(DAY + 4 * HOUR, 0.1, List.of(empty), SNAPSHOT_AT_END, 650, 650,
            false, List.of());
        assertThat(reasons(POLICY.plan(in))).containsExactly(Reason.EXPIRED);
    }

    @Test
    void neverPastTheCompactionPointTheAppliedOrTheDispatchedIndex() {
        long now = DAY + 28 * HOUR; // 04:00 next day: all six expired
        RetentionPlan noSnapshot = POLICY.plan(new RetentionInputs(now, 0.99, SEGMENTS, null, 650, 650, false,
            List.of()));
        assertThat(noSnapshot.deletions()).as("no snapshot: nothing, even on a full disk").isEmpty();
        assertThat(noSnapshot.heldBy()).isEqualTo("no snapshot to compact to");
        assertThat(deletedBases(POLICY.plan(withFloor(now, new SnapshotInfo(250, 2, 2 * MIB + 77), 650, 650))))
            .as("snapshot at 250: segments ending at 100 and 200").containsExactly(0L, 1L);
        assertThat(deletedBases(POLICY.plan(withFloor(now, new SnapshotInfo(300, 2, 2 * MIB + 77), 650, 650))))
            .as("index 300 allows segment 2, but its end lies past the snapshot's next position")
            .containsExactly(0L, 1L);
        RetentionPlan applied = POLICY.plan(withFloor(now, SNAPSHOT_AT_END, 399, 650));
        assertThat(deletedBases(applied)).containsExactly(0L, 1L, 2L);
        assertThat(applied.heldBy()).isEqualTo("applied index 399");
        RetentionPlan dispatched = POLICY.plan(withFloor(now, SNAPSHOT_AT_END, 650, 100));
        assertThat(deletedBases(dispatched)).containsExactly(0L);
        assertThat(dispatched.heldBy()).isEqualTo("dispatched index 100");
        assertThat(POLICY.plan(withFloor(now, SNAPSHOT_AT_END, 650, -1)).deletions()).as("dispatch unknown")
            .isEmpty();
    }

    private static RetentionInputs withFloor(long now, SnapshotInfo cp, long applied, long dispatched) {
        return new RetentionInputs(now, 0.5, SEGMENTS, cp, applied, dispatched, false, List.of());
    }

    @Test
    void aLeaderKeepsWhatALiveFollowerNeedsUnlessTheDiskIsAboveMaxUsed() {
        long now = DAY + 28 * HOUR;
        List<FollowerProgress> followers = List.of(new FollowerProgress(2, 650, 10),
            new FollowerProgress(3, 250, 59_000));
        RetentionPlan held = POLICY.plan(leader(now, 0.5, followers));
        assertThat(deletedBases(held)).containsExactly(0L, 1L);
        assertThat(held.heldBy()).isEqualTo("live follower 3 at index 250");
        List<FollowerProgress> silent = List.of(new FollowerProgress(2, 650, 10),
            new FollowerProgress(3, 250, 60_001));
        assertThat(deletedBases(POLICY.plan(leader(now, 0.5, silent)))).as("silent for longer: snapshot instead")
            .hasSize(6);
        assertThat(deletedBases(POLICY.plan(leader(now, 0.76, followers)))).as("disk above diskMaxUsedSpaceRatio")
            .hasSize(6);
        RetentionInputs follower = new RetentionInputs(now, 0.5, SEGMENTS, SNAPSHOT_AT_END, 650, 650, false,
            followers);
        assertThat(POLICY.plan(follower).deletions()).as("only a leader waits for followers").hasSize(6);
    }

    private static RetentionInputs leader(long now, double used, List<FollowerProgress> followers) {
        return new RetentionInputs(now, used, SEGMENTS, SNAPSHOT_AT_END, 650, 650, true, followers);
    }

    @Test
    void anyPlanDeletesAHeadPrefixAtOrBelowEveryFloor() {
        long seed = Seeds.seed("retention.policy.seed", 20261206L);
        SplittableRandom r = new SplittableRandom(seed);
        for (int run = 0; run < 2000; run++) {
            long now = DAY + r.nextLong(48 * HOUR);
            double used = r.nextDouble();
            long cpIndex = r.nextLong(700);
            SnapshotInfo cp = r.nextInt(8) == 0 ? null : new SnapshotInfo(cpIndex, 1, r.nextLong(7 * MIB));
            long applied = r.nextLong(700);
            long dispatched = r.nextLong(-1, 700);
            boolean leader = r.nextBoolean();
            List<FollowerProgress> fs = List.of(new FollowerProgress(2, r.nextLong(700), r.nextLong(120_000)));
            RetentionInputs in = new RetentionInputs(now, used, SEGMENTS, cp, applied, dispatched, leader, fs);
            RetentionPlan p = POLICY.plan(in);
            String ctx = "seed " + seed + " run " + run + " " + in;
            List<Deletion> d = p.deletions();
            assertThat(d.size()).as(ctx).isLessThanOrEqualTo(SETTINGS.segmentsPerRunMax());
            for (int i = 0; i < d.size(); i++) {
                SegmentSpan s = d.get(i).span();
                assertThat(s).as(ctx).isEqualTo(SEGMENTS.get(i));
                assertThat(cp).as(ctx).isNotNull();
                assertThat(s.lastIndex()).as(ctx).isLessThanOrEqualTo(Math.min(cp.index(), Math.min(applied,
                    dispatched)));
                assertThat(s.basePosition() + s.bytes()).as(ctx).isLessThanOrEqualTo(cp.nextPosition());
                boolean liveLagging = leader && fs.get(0).silentMs() <= 60_000 && used <= 0.75;
                if (liveLagging) {
                    assertThat(s.lastIndex()).as(ctx).isLessThanOrEqualTo(fs.get(0).matchIndex());
                }
                boolean expired = now - s.lastTimestampMs() > SETTINGS.reservedMs();
                assertThat(expired || used > 0.85).as(ctx).isTrue();
            }
            assertThat(d.stream().filter(x -> x.reason() == Reason.FORCED).count()).as(ctx).isLessThanOrEqualTo(2);
        }
    }
}
