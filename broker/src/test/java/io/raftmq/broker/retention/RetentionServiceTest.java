package io.raftmq.broker.retention;

import io.raftmq.broker.replication.CommitLogRaftLog;
import io.raftmq.broker.snapshot.SnapshotInfo;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.retention.SegmentSpan;
import io.raftmq.commitlog.store.StoreFixture;
import io.raftmq.commitlog.time.Clock;
import io.raftmq.raft.driver.FollowerProgress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Goal: {@link RetentionService} runs a plan end to end on a real store: nothing goes without a snapshot; expired
 * segments go up to the compaction point, the raft log's first index moves (boundary written), ConsumeQueue files
 * below the new start are deleted and their min offsets move, counters and the dispatch checkpoint follow; the
 * deletion runs on the "agent thread" (a queue the test drains), is clamped there to the applied index, and only
 * one is in flight; a disk above the forcibly ratio deletes unexpired segments two per run until the floor; a disk
 * usage that cannot be read skips the run. Method: {@link StoreFixture} (64 KiB segments, 4-unit ConsumeQueue files),
 * a manual clock, disk usage and catalog set by the test, a fake raft side over a real {@link CommitLogRaftLog}.
 */
class RetentionServiceTest {
    private static final long HOUR = 3_600_000L;
    private static final int MESSAGES = 300;

    @TempDir
    Path dir;

    private StoreFixture fx;
    private CommitLogRaftLog raftLog;
    private final AtomicLong nowMs = new AtomicLong(StoreFixture.BASE_TS + 2 * HOUR);
    private double used = 0.5;
    private boolean diskFails;
    private SnapshotInfo compactionPoint;
    private long applied;
    private final ArrayDeque<Runnable> agentTasks = new ArrayDeque<>();
    private RetentionService service;

    @BeforeEach
    void open() throws IOException {
        fx = new StoreFixture(dir);
        for (int i = 0; i < MESSAGES; i++) {
            fx.appendRecord(fx.message("T", i % 2, "TagA", "k", 900));
        }
        fx.commit();
        raftLog = new CommitLogRaftLog(fx.store.commitLog(), dir.resolve("raft-boundary"), nowMs::get, 16);
        applied = fx.store.commitLog().lastIndex();
        Clock clock = new Clock() {
            @Override
            public long nanoTime() {
                return nowMs.get() * 1_000_000;
            }

            @Override
            public long wallMillis() {
                return nowMs.get();
            }
        };
        RetentionSettings settings = new RetentionSettings(HOUR, Set.copyOf(IntStream.range(0, 24).boxed().toList()),
            ZoneOffset.UTC, 0.75, 0.85, 0.90, 1000, 10, 60_000);
        service = new RetentionService(settings, clock, () -> {
            if (diskFails) {
                throw new IOException("statfs failed");
            }
            return used;
        }, () -> compactionPoint, fx.store, new FakeRaft());
    }

    @AfterEach
    void close() throws IOException {
        fx.close();
    }

    /** Runs the tasks handed to the agent thread. */
    private void runAgent() {
        for (Runnable t = agentTasks.poll(); t != null; t = agentTasks.poll()) {
            t.run();
        }
    }

    private CommitLog log() {
        return fx.store.commitLog();
    }

    /** A compaction point right after entry {@code index}. */
    private SnapshotInfo pointAt(long index) {
        return new SnapshotInfo(index, 1, log().position(index + 1));
    }

    @Test
    void nothingGoesWithoutASnapshotThenExpiredSegmentsGoUpToTheCompactionPoint() throws IOException {
        List<SegmentSpan> spans = log().sealedSegments(100);
        assertThat(spans).as("the workload spans several segments").hasSizeGreaterThan(4);
        assertThat(service.runOnce().heldBy()).isEqualTo("no snapshot to compact to");
        assertThat(agentTasks).isEmpty();

        long cpIndex = spans.get(2).lastIndex() + 3; // inside segment 3: segments 0..2 may go
        compactionPoint = pointAt(cpIndex);
        int queueFilesBefore = queueFiles();
        RetentionPlan plan = service.runOnce();
        assertThat(plan.deletions()).hasSize(3);
        assertThat(plan.heldBy()).startsWith("snapshot at index");
        assertThat(log().firstIndex()).as("nothing deleted before the agent thread ran").isEqualTo(1);
        assertThat(service.runOnce()).as("one deletion in flight at a time").isNull();
        runAgent();

        assertThat(log().firstIndex()).isEqualTo(spans.get(2).lastIndex() + 1);
        assertThat(raftLog.firstIndex()).isEqualTo(log().firstIndex());
        assertThat(raftLog.term(log().firstIndex() - 1)).as("the compaction boundary answers").isEqualTo(1);
        assertThat(Files.exists(dir.resolve("raft-compaction-boundary"))).isTrue();
        assertThat(service.deletedSegments()).isEqualTo(3);
        assertThat(service.deletedBytes()).isEqualTo(3 * 64 * 1024);
        assertThat(queueFiles()).as("ConsumeQueue files below the new start are gone").isLessThan(queueFilesBefore);
        for (ConsumeQueue q : fx.store.consumeQueues().queues()) {
            ByteBuffer unit = ByteBuffer.allocate(20);
            q.read(q.minOffset(), 1, unit);
            assertThat(q.minOffset()).isPositive();
            assertThat(unit.getLong(0)).as("the first unit kept points into the kept log")
                .isGreaterThanOrEqualTo(log().startPosition());
        }
        assertThat(service.runOnce().deletions()).as("the next segment holds entries above the point").isEmpty();
    }

    @Test
    void theAgentThreadClampsToItsAppliedIndex() {
        List<SegmentSpan> spans = log().sealedSegments(100);
        compactionPoint = pointAt(spans.get(3).lastIndex());
        assertThat(service.runOnce().deletions()).hasSize(4);
        applied = spans.get(1).lastIndex(); // the agent thread's exact view is lower than the racy read
        runAgent();
        assertThat(log().firstIndex()).as("the entry that sealed segment 1 is not applied: segment 1 stays")
            .isEqualTo(spans.get(0).lastIndex() + 1);
        assertThat(service.deletedSegments()).isEqualTo(1);
        applied = spans.get(1).lastIndex() + 1;
        service.runOnce();
        runAgent();
        assertThat(log().firstIndex()).isEqualTo(spans.get(1).lastIndex() + 1);
        assertThat(service.deletedSegments()).isEqualTo(2);
    }

    @Test
    void aFullDiskDeletesUnexpiredSegmentsTwoPerRunUntilTheFloor() {
        nowMs.set(StoreFixture.BASE_TS + 1000); // nothing expired
        List<SegmentSpan> spans = log().sealedSegments(100);
        compactionPoint = pointAt(spans.get(4).lastIndex());
        assertThat(service.runOnce().deletions()).as("young segments, disk at 50 %").isEmpty();
        used = 0.90;
        for (int run = 0; run < 5; run++) {
            service.runOnce();
            runAgent();
        }
        assertThat(log().firstIndex()).isEqualTo(spans.get(4).lastIndex() + 1);
        assertThat(service.deletedSegments()).isEqualTo(5);
        assertThat(service.runs()).isEqualTo(6);
    }

    @Test
    void aDiskAboveTheWarningLevelRefusesWritesUntilItIsBelowAgain() throws Exception {
        used = 0.91;
        service.runOnce();
        assertThat(service.diskFull()).isTrue();
        RemotingCommand refused = new DiskFullGuard((ctx, r) -> null, service::diskFull).process(null, null);
        assertThat(refused.code()).isEqualTo(ResponseCode.SERVICE_NOT_AVAILABLE);
        assertThat(refused.remark()).isEqualTo(DiskFullGuard.REMARK);
        refused.release();
        used = 0.90;
        service.runOnce();
        assertThat(service.diskFull()).as("90 % is not above 90 %").isFalse();
        assertThat(new DiskFullGuard((ctx, r) -> null, service::diskFull).process(null, null)).isNull();
    }

    @Test
    void theRealDiskUsageIsDfsUseRatio() throws IOException {
        assertThat(DiskUsage.dfRatio(270L << 30, 230L << 30, 68L << 30)).as("40 used, 68 available")
            .isCloseTo(40.0 / 108, within(1e-9));
        assertThat(DiskUsage.dfRatio(100, 10, 0)).as("nothing left for this process").isEqualTo(1.0);
        assertThat(DiskUsage.dfRatio(100, 100, 100)).isZero();
        assertThat(DiskUsage.dfRatio(0, 0, 0)).as("no figures: never refuses writes").isZero();
        assertThat(DiskUsage.of(dir).usedRatio()).isBetween(0.0, 1.0);
    }

    @Test
    void anUnreadableDiskUsageSkipsTheRun() {
        compactionPoint = pointAt(log().sealedSegments(100).get(0).lastIndex());
        diskFails = true;
        assertThat(service.runOnce()).isNull();
        assertThat(agentTasks).isEmpty();
        assertThat(service.runs()).isZero();
    }

    private int queueFiles() throws IOException {
        try (var s = Files.walk(dir.resolve("derived").resolve("consumequeue"))) {
            return (int) s.filter(Files::isRegularFile).count();
        }
    }

    /** Snapshots retention asked for (a run held back by the snapshot floor asks for one). */
    private int snapshotRequests;

    private final class FakeRaft implements RetentionService.RaftSide {
        @Override
        public boolean isLeader() {
            return false;
        }

        @Override
        public List<FollowerProgress> followers() {
            return List.of();
        }

        @Override
        public long appliedIndex() {
            return applied;
        }

        @Override
        public void runOnAgentThread(Runnable task) {
            agentTasks.add(task);
        }

        @Override
        public int compactTo(long index) {
            return raftLog.compactTo(index);
        }

        @Override
        public void requestSnapshot() {
            snapshotRequests++;
        }
    }
}
