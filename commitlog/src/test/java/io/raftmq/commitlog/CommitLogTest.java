package io.raftmq.commitlog;

import static io.raftmq.commitlog.TestLogs.appendOne;
import static io.raftmq.commitlog.TestLogs.body;
import static io.raftmq.commitlog.TestLogs.decode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.error.CommitLogException;
import io.raftmq.commitlog.error.DurableTimeoutException;
import io.raftmq.commitlog.error.LogTruncatedException;
import io.raftmq.commitlog.error.RecordTooLargeException;
import io.raftmq.commitlog.error.StorageFailedException;
import io.raftmq.commitlog.flush.DurableListener;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.time.Clock;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the CommitLog API behaves as documented on a real file system: append/read/entries/term, segment rolling
 * with fillers and deterministic positions, contiguity checks, truncation, reset, reopen, typed errors, the force
 * observer (records and time per force) and the segment count.
 */
class CommitLogTest {
    @TempDir
    Path dir;

    @Test
    void emptyLogConventionAndFirstAppend() {
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            assertThat(log.firstIndex()).isEqualTo(1);
            assertThat(log.lastIndex()).isEqualTo(0);
            assertThatThrownBy(() -> appendOne(log, 1, 2, body("x"))).isInstanceOf(IllegalArgumentException.class);
            long p = appendOne(log, 1, 1, body("hello"));
            assertThat(p).isEqualTo(0);
            assertThat(log.endPosition()).isEqualTo(RecordHeader.HEADER_LENGTH + 5);
            assertThat(log.term(1)).isEqualTo(1);
            assertThat(log.position(1)).isEqualTo(0);
            assertThat(log.lastIndex()).isEqualTo(1);
        }
    }

    @Test
    void theForceObserverSeesEachForcesRecordsAndSegmentsAreCounted() {
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            List<long[]> forces = new ArrayList<>();
            log.setForceObserver((records, nanos) -> forces.add(new long[] {records, nanos}));
            assertThat(log.segmentCount()).as("the first segment is created by the first append").isZero();
            for (long i = 1; i <= 3; i++) {
                appendOne(log, 1, i, TestLogs.body(i, 5000));
            }
            log.flush();
            log.flush(); // nothing new: no force, no observation
            for (long i = 4; i <= 23; i++) { // 13 records of 5048 bytes fill a 64 KiB segment
                appendOne(log, 1, i, TestLogs.body(i, 5000));
            }
            log.flush();
            assertThat(forces).extracting(f -> f[0]).containsExactly(3L, 20L);
            assertThat(forces).allMatch(f -> f[1] >= 0);
            assertThat(log.forceStats().forces()).isEqualTo(2);
            assertThat(log.segmentCount()).isEqualTo(2);
        }
    }

    @Test
    void appendsRollSegmentsWithFillerAndReadsBack() {
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            int size = 5000;
            for (long i = 1; i <= 40; i++) {
                long p = appendOne(log, 3, i, TestLogs.body(i, size));
                long perSeg = 65536 / (size + 48);
                long expected = ((i - 1) / perSeg) * 65536 + ((i - 1) % perSeg) * (size + 48);
                assertThat(p).as("position of %d", i).isEqualTo(expected);
            }
            ByteBuffer dst = ByteBuffer.allocate(1 << 20);
            assertThat(log.entries(1, 41, dst)).isEqualTo(40);
            List<TestLogs.Rec> recs = decode(dst);
            for (int i = 0; i < 40; i++) {
                assertThat(recs.get(i).index()).isEqualTo(i + 1);
                assertThat(ByteBuffer.wrap(recs.get(i).body())).isEqualTo(TestLogs.body(i + 1, size));
            }
            dst.clear().limit(12000);
            assertThat(log.entries(5, 41, dst)).as("maxBytes bound").isEqualTo(2);
            dst.clear();
            long first = log.read(log.position(12), dst);
            assertThat(first).as("position 12 is after the first segment's records").isEqualTo(log.position(12));
            assertThat(decode(dst).get(0).index()).isEqualTo(12);
        }
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            assertThat(log.lastIndex()).isEqualTo(40);
            assertThat(log.firstIndex()).isEqualTo(1);
            ByteBuffer dst = ByteBuffer.allocate(1 << 20);
            assertThat(log.entries(1, 100, dst)).isEqualTo(40);
            assertThat(decode(dst).get(39).body()).isEqualTo(TestLogs.body(40, 5000).array());
        }
    }

    @Test
    void readAtFillerSkipsToNextSegment() {
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            for (long i = 1; i <= 14; i++) {
                appendOne(log, 1, i, TestLogs.body(i, 5000));
            }
            long fillerAt = log.position(12) + 5048;
            ByteBuffer dst = ByteBuffer.allocate(1 << 16);
            assertThat(log.read(fillerAt, dst)).isEqualTo(65536);
            assertThat(decode(dst).get(0).index()).isEqualTo(13);
        }
    }

    @Test
    void truncateFromRemovesSuffixDurablyAndChainsOn() {
        CommitLogConfig cfg = TestLogs.small(dir, FlushMode.MANUAL).build();
        try (CommitLog log = CommitLog.open(cfg, null)) {
            for (long i = 1; i <= 30; i++) {
                appendOne(log, 1, i, TestLogs.body(i, 3000));
            }
            long p20 = log.position(20);
            log.truncateFrom(20);
            assertThat(log.lastIndex()).isEqualTo(19);
            assertThat(log.endPosition()).isEqualTo(p20);
            assertThat(appendOne(log, 2, 20, body("new"))).isEqualTo(p20);
            assertThat(log.term(20)).isEqualTo(2);
        }
        try (CommitLog log = CommitLog.open(cfg, null)) {
            assertThat(log.lastIndex()).isEqualTo(20);
            assertThat(log.term(20)).isEqualTo(2);
            assertThat(log.term(19)).isEqualTo(1);
            log.truncateFrom(1);
            assertThat(log.lastIndex()).isEqualTo(0);
            assertThat(log.firstIndex()).isEqualTo(1);
        }
        try (CommitLog log = CommitLog.open(cfg, null)) {
            assertThat(log.lastIndex()).isEqualTo(0);
            assertThat(log.endPosition()).isEqualTo(0);
        }
    }

    @Test
    void resetToStartsOverAtGivenIndexAndPosition() {
        CommitLogConfig cfg = TestLogs.small(dir, FlushMode.MANUAL).build();
        try (CommitLog log = CommitLog.open(cfg, null)) {
            appendOne(log, 1, 1, body("a"));
            log.resetTo(500, 200_000);
            assertThat(log.firstIndex()).isEqualTo(500);
            assertThat(log.lastIndex()).isEqualTo(499);
            assertThat(appendOne(log, 7, 500, body("b"))).isEqualTo(200_000);
        }
        try (CommitLog log = CommitLog.open(cfg, null)) {
            assertThat(log.firstIndex()).isEqualTo(500);
            assertThat(log.lastIndex()).isEqualTo(500);
            assertThat(log.startPosition()).isEqualTo(200_000);
            assertThat(log.term(500)).isEqualTo(7);
            assertThatThrownBy(() -> log.term(499)).isInstanceOf(LogTruncatedException.class);
        }
    }

    @Test
    void typedErrorsForOversizedRecordAndBadConfig() {
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            assertThatThrownBy(() -> appendOne(log, 1, 1, ByteBuffer.allocate(9000)))
                .isInstanceOf(RecordTooLargeException.class).hasMessageContaining("recordBytesMax");
            assertThat(log.lastIndex()).isEqualTo(0);
        }
        assertThatThrownBy(() -> TestLogs.small(dir, FlushMode.SYNC).segmentBytes(1000).build())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segmentBytes");
        assertThatThrownBy(() -> TestLogs.small(dir, FlushMode.SYNC).recordBytesMax(1 << 20).build())
            .hasMessageContaining("recordBytesMax");
    }

    @Test
    void reopenWithOtherSegmentSizeIsRefused() {
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            appendOne(log, 1, 1, body("a"));
        }
        assertThatThrownBy(() -> CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).segmentBytes(128 * 1024)
            .build(), null)).isInstanceOf(StorageFailedException.class).hasMessageContaining("segmentBytes");
    }

    @Test
    void syncModeWaitsForForceAndCallbacksFire() throws Exception {
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.SYNC).build(), null)) {
            AppendBatch b = new AppendBatch(4);
            for (long i = 1; i <= 4; i++) {
                b.add(1, i, (byte) 0, 0, body("m" + i));
            }
            log.append(b);
            java.util.concurrent.CompletableFuture<Long> done = new java.util.concurrent.CompletableFuture<>();
            log.whenDurable(b.endPosition(), new DurableListener() {
                @Override
                public void onDurable(long durablePosition) {
                    done.complete(durablePosition);
                }

                @Override
                public void onFailure(CommitLogException cause) {
                    done.completeExceptionally(cause);
                }
            });
            log.awaitDurable(b.endPosition(), TimeUnit.SECONDS.toNanos(5));
            assertThat(log.durablePosition()).isGreaterThanOrEqualTo(b.endPosition());
            assertThat(done.get(5, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(b.endPosition());
        }
        assertThat(Files.exists(dir.resolve("checkpoint"))).isTrue();
    }

    @Test
    void forcesAndDurableWaitsReadTimeThroughTheClockPort() {
        StepClock clock = new StepClock(7);
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).clock(clock).build(), null)) {
            assertThat(log.config().clock()).isSameAs(clock);
            appendOne(log, 1, 1, body("timed"));
            long end = log.endPosition();
            assertThatThrownBy(() -> log.awaitDurable(end, 20)).as("a few 7 ns clock reads pass a 20 ns deadline")
                .isInstanceOf(DurableTimeoutException.class);
            log.flush();
            ForceStats stats = log.forceStats();
            assertThat(stats.forces()).isEqualTo(1);
            assertThat(stats.forceNanos()).as("one step of the clock around the force").isEqualTo(7);
            assertThat(stats.since(stats)).isEqualTo(new ForceStats(0, 0, 0, 0, 0));
        }
        assertThat(CommitLogConfig.builder(dir).build().clock()).isSameAs(Clock.SYSTEM);
    }

    /** A clock that moves {@code stepNs} at every read, so elapsed times are exact and need no real waiting. */
    private static final class StepClock implements Clock {
        private final long stepNs;
        private final AtomicLong now = new AtomicLong();

        StepClock(long stepNs) {
            this.stepNs = stepNs;
        }

        @Override
        public long nanoTime() {
            return now.addAndGet(stepNs);
        }

        @Override
        public long wallMillis() {
            return 0;
        }
    }
}
