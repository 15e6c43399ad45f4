package io.raftmq.commitlog.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.AppendBatch;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.TestLogs;
import io.raftmq.commitlog.error.LogTruncatedException;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.io.FaultyMemoryStorage;
import io.raftmq.commitlog.io.IoMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Goal: retention deletes whole old segments (with their index segments) by age or disk usage, never past the
 * caller's floor index nor the active segment, really frees the space (file gone; with mmap also unmapped), and the
 * new log start survives a reopen. Method: 64 KiB segments with records stamped at known times.
 */
class RetentionTest {
    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    /** 40 records of 5000 bytes (12 per segment), record i stamped at i hours. */
    private static void fill(CommitLog log) {
        for (long i = 1; i <= 40; i++) {
            log.append(new AppendBatch(1).add(1, i, (byte) 1, i * HOUR, TestLogs.body(i, 5000)));
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void deletesExpiredSegmentsUpToFloorAndFreesThem(IoMode mode) throws IOException {
        // age alone: a real directory's device may be fuller than the default ratio on a shared machine
        CommitLogConfig cfg = TestLogs.small(dir, FlushMode.MANUAL).ioMode(mode).retentionAgeMs(10 * HOUR)
            .diskUsageRatioMax(1.0).build();
        Path seg0 = dir.resolve("log").resolve("00000000000000000000");
        Path seg1 = dir.resolve("log").resolve("00000000000000065536");
        try (CommitLog log = CommitLog.open(cfg, null)) {
            fill(log);
            assertThat(mapped(seg0)).isEqualTo(mode == IoMode.MAPPED);
            assertThat(log.deleteExpired(40, 23 * HOUR)).as("only segment 0 (last record at 12 h) is > 10 h old")
                .isEqualTo(1);
            assertThat(Files.exists(seg0)).isFalse();
            assertThat(mapped(seg0)).as("unmapped").isFalse();
            assertThat(log.firstIndex()).isEqualTo(13);
            assertThat(log.startPosition()).isEqualTo(65536);
            assertThatThrownBy(() -> log.term(12)).isInstanceOf(LogTruncatedException.class);
            assertThatThrownBy(() -> log.read(0, ByteBuffer.allocate(1 << 16)))
                .isInstanceOf(LogTruncatedException.class);
            assertThat(log.deleteExpired(20, 1000 * HOUR)).as("floor 20 lies in segment 1").isZero();
            assertThat(Files.exists(seg1)).isTrue();
            assertThat(log.deleteExpired(40, 1000 * HOUR)).as("never the active segment").isEqualTo(2);
            assertThat(log.firstIndex()).isEqualTo(37);
        }
        try (CommitLog log = CommitLog.open(cfg, null)) {
            assertThat(log.firstIndex()).isEqualTo(37);
            assertThat(log.lastIndex()).isEqualTo(40);
            assertThat(log.term(37)).isEqualTo(1);
        }
    }

    @Test
    void diskUsageAboveRatioDeletesOldestFirst() {
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        CommitLogConfig cfg = TestLogs.small(Path.of("/mem/ret"), FlushMode.MANUAL).retentionAgeMs(1000 * HOUR)
            .diskUsageRatioMax(0.9).build();
        try (CommitLog log = CommitLog.open(cfg, null, storage)) {
            fill(log);
            storage.setUsageRatio(0.5);
            assertThat(log.deleteExpired(40, 41 * HOUR)).as("young and disk not full").isZero();
            storage.setUsageRatio(0.95);
            assertThat(log.deleteExpired(24, 41 * HOUR)).as("full, but floor 24 keeps segment 1 (13..24)").isEqualTo(1);
            assertThat(log.firstIndex()).isEqualTo(13);
            assertThat(storage.exists(Path.of("/mem/ret/index/00000000000000000000.idx")))
                .as("index segment [0,128) still holds live units").isTrue();
        }
    }

    @Test
    void sealedSegmentsListWhatEachHoldsAndItsNewestRecordTime() {
        CommitLogConfig cfg = TestLogs.small(Path.of("/mem/spans"), FlushMode.MANUAL).build();
        try (CommitLog log = CommitLog.open(cfg, null, new FaultyMemoryStorage())) {
            fill(log);
            assertThat(log.sealedSegments(10)).as("12 records per segment; the active one (37..40) is not listed")
                .containsExactly(new SegmentSpan(0, 1, 12, 12 * HOUR, 65536),
                    new SegmentSpan(65536, 13, 24, 24 * HOUR, 65536),
                    new SegmentSpan(131072, 25, 36, 36 * HOUR, 65536));
            assertThat(log.sealedSegments(1)).hasSize(1);
            assertThat(log.sealedSegments(0)).isEmpty();
        }
    }

    @Test
    void deleteSegmentsBeforeKeepsTheSegmentHoldingTheKeepIndexAndTheActiveOne() throws IOException {
        CommitLogConfig cfg = TestLogs.small(dir, FlushMode.MANUAL).retentionAgeMs(1000 * HOUR).build();
        try (CommitLog log = CommitLog.open(cfg, null)) {
            fill(log);
            assertThat(log.deleteSegmentsBefore(12)).as("index 12 lies in segment 0").isZero();
            assertThat(log.deleteSegmentsBefore(13)).as("no age policy: the caller decided").isEqualTo(1);
            assertThat(log.firstIndex()).isEqualTo(13);
            assertThat(log.sealedSegments(10).get(0)).isEqualTo(new SegmentSpan(65536, 13, 24, 24 * HOUR, 65536));
            assertThat(log.deleteSegmentsBefore(Long.MAX_VALUE)).as("never the active segment").isEqualTo(2);
            assertThat(log.firstIndex()).isEqualTo(37);
            assertThat(log.sealedSegments(10)).isEmpty();
        }
        try (CommitLog log = CommitLog.open(cfg, null)) {
            assertThat(log.firstIndex()).as("the new start is checkpointed").isEqualTo(37);
            assertThat(Files.exists(dir.resolve("log").resolve("00000000000000131072"))).isFalse();
        }
    }

    @Test
    void policyIsPure() {
        Retention r = new Retention(100, 0.8);
        assertThat(r.shouldDelete(0, 101, 0.1)).isTrue();
        assertThat(r.shouldDelete(0, 100, 0.1)).isFalse();
        assertThat(r.shouldDelete(0, 100, 0.81)).isTrue();
        assertThat(r.shouldDelete(Long.MIN_VALUE, 0, 0)).isTrue();
    }

    private static boolean mapped(Path file) throws IOException {
        String name = file.toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.endsWith(name) || line.contains(name + " ")) {
                return true;
            }
        }
        return false;
    }
}
