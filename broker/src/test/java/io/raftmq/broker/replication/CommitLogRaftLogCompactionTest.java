package io.raftmq.broker.replication;

import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.RecordStamper;
import io.raftmq.commitlog.error.DiskFullException;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.io.FaultyMemoryStorage;
import io.raftmq.commitlog.retention.SegmentSpan;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.LogCompactedException;
import io.raftmq.raft.log.LogStorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: {@link CommitLogRaftLog#compactTo} deletes only whole head segments at or below the index asked, keeps the
 * term of {@code firstIndex - 1} across reopen, writes its boundary before deleting (a crash in between is finished
 * on open, never reads as a snapshot reset), and the boundary file has the drawn layout; a damaged one stops the open
 * with its name; a full disk fails an append with its DiskFullException cause, keeps every entry written and the
 * boundary, and appends resume once space returns. Method: a real CommitLog with 64 KiB segments, entries of
 * 10,000 bytes (6 per segment), terms rising every 10 entries.
 */
class CommitLogRaftLogCompactionTest {
    private static final int PAYLOAD = 10_000;

    @TempDir
    Path dir;

    private CommitLog commitLog;

    @AfterEach
    void close() {
        if (commitLog != null) {
            commitLog.close();
        }
    }

    private CommitLogRaftLog open() {
        CommitLogConfig cfg = CommitLogConfig.builder(dir.resolve("log")).segmentBytes(64 * 1024)
            .recordBytesMax(16 * 1024).writeBufferBytes(64 * 1024).indexUnitsPerSegment(128)
            .flushMode(FlushMode.MANUAL).build();
        commitLog = CommitLog.open(cfg, RecordStamper.NONE);
        return new CommitLogRaftLog(commitLog, dir.resolve("raft-boundary"), () -> 1_700_000_000_000L, 4);
    }

    private CommitLogRaftLog reopen() {
        commitLog.close();
        return open();
    }

    private static long termOf(long index) {
        return 1 + index / 10;
    }

    private static void fill(CommitLogRaftLog log, long n) {
        List<Entry> batch = new ArrayList<>();
        for (long i = log.lastIndex() + 1; i <= n; i++) {
            byte[] p = new byte[PAYLOAD];
            p[0] = (byte) i;
            batch.add(new Entry(termOf(i), i, 16, p));
        }
        log.write(batch);
        log.sync();
    }

    @Test
    void deletesWholeHeadSegmentsAndKeepsTheBoundaryTermAcrossReopen() {
        CommitLogRaftLog log = open();
        fill(log, 40);
        List<SegmentSpan> spans = commitLog.sealedSegments(100);
        long firstSegmentLast = spans.get(0).lastIndex();
        long secondSegmentLast = spans.get(1).lastIndex();
        assertThat(log.compactTo(firstSegmentLast - 1)).as("segment 0 still holds an entry above the index").isZero();
        assertThat(log.firstIndex()).isEqualTo(1);
        assertThat(log.compactTo(secondSegmentLast + 1)).as("two whole segments, not the third").isEqualTo(2);
        assertThat(log.firstIndex()).isEqualTo(secondSegmentLast + 1);
        assertThat(log.term(secondSegmentLast)).isEqualTo(termOf(secondSegmentLast));
        assertThatThrownBy(() -> log.term(secondSegmentLast - 1)).isInstanceOf(LogCompactedException.class);
        assertThatThrownBy(() -> log.entries(secondSegmentLast, 41, 1 << 20))
            .isInstanceOf(LogCompactedException.class);
        assertThat(log.entries(secondSegmentLast + 1, secondSegmentLast + 2, 1 << 20).get(0).payload()[0])
            .isEqualTo((byte) (secondSegmentLast + 1));

        CommitLogRaftLog again = reopen();
        assertThat(again.firstIndex()).isEqualTo(secondSegmentLast + 1);
        assertThat(again.lastIndex()).isEqualTo(40);
        assertThat(again.term(secondSegmentLast)).isEqualTo(termOf(secondSegmentLast));
        assertThat(again.compactTo(40)).as("never the active segment").isPositive();
        assertThat(again.lastIndex()).isEqualTo(40);
        assertThat(again.term(again.firstIndex() - 1)).isEqualTo(termOf(again.firstIndex() - 1));
    }

    @Test
    void aCompactionInterruptedAfterTheBoundaryWasWrittenIsFinishedOnOpenWithoutEmptyingTheLog() throws Exception {
        CommitLogRaftLog log = open();
        fill(log, 30);
        long firstSegmentLast = commitLog.sealedSegments(100).get(0).lastIndex();
        commitLog.close();
        commitLog = null;
        Files.write(dir.resolve(CommitLogRaftLog.COMPACTION_FILE),
            new CompactionBoundary(firstSegmentLast, termOf(firstSegmentLast)).encode());
        CommitLogRaftLog again = open();
        assertThat(again.firstIndex()).isEqualTo(firstSegmentLast + 1);
        assertThat(again.lastIndex()).as("the entries after the boundary are all kept").isEqualTo(30);
        assertThat(again.term(firstSegmentLast)).isEqualTo(termOf(firstSegmentLast));
        assertThat(again.entries(30, 31, 1 << 20).get(0).payload()[0]).isEqualTo((byte) 30);
    }

    @Test
    void aSnapshotResetAfterACompactionAnswersTheResetBoundary() {
        CommitLogRaftLog log = open();
        fill(log, 30);
        log.compactTo(20);
        log.resetToSnapshot(100, 9);
        assertThat(log.firstIndex()).isEqualTo(101);
        assertThat(log.term(100)).isEqualTo(9);
        CommitLogRaftLog again = reopen();
        assertThat(again.firstIndex()).isEqualTo(101);
        assertThat(again.term(100)).isEqualTo(9);
    }

    @Test
    void aFullDiskFailsTheAppendWithItsCauseAndDamagesNothing() {
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        CommitLogConfig cfg = CommitLogConfig.builder(Path.of("/mem/full")).segmentBytes(64 * 1024)
            .recordBytesMax(16 * 1024).writeBufferBytes(64 * 1024).indexUnitsPerSegment(128)
            .flushMode(FlushMode.MANUAL).build();
        commitLog = CommitLog.open(cfg, RecordStamper.NONE, storage);
        CommitLogRaftLog log = new CommitLogRaftLog(commitLog, dir.resolve("raft-boundary"), () -> 0L, 4);
        fill(log, 20);
        log.compactTo(10);
        long first = log.firstIndex();
        storage.setFull(true);
        byte[] p = new byte[PAYLOAD];
        List<Entry> next = new ArrayList<>();
        for (long i = 21; i <= 30; i++) {
            next.add(new Entry(termOf(i), i, 16, p));
        }
        assertThatThrownBy(() -> log.write(next)).isInstanceOf(LogStorageException.class)
            .hasCauseInstanceOf(DiskFullException.class);
        assertThat(log.lastIndex()).as("nothing of the failed batch").isEqualTo(20);
        for (long i = first; i <= 20; i++) {
            assertThat(log.entries(i, i + 1, 1 << 20).get(0).index()).isEqualTo(i);
        }
        storage.setFull(false);
        log.write(next);
        log.sync();
        assertThat(log.lastIndex()).isEqualTo(30);
        assertThat(log.term(first - 1)).isEqualTo(termOf(first - 1));
    }

    @Test
    void boundaryGoldenBytesAndCorruption() throws Exception {
        byte[] bytes = new CompactionBoundary(0x0102, 7).encode();
        assertThat(HexFormat.of().formatHex(bytes, 0, 24))
            .isEqualTo("52464342" + "01000000" + "0000000000000102" + "0000000000000007");
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 24);
        assertThat(ByteBuffer.wrap(bytes).getInt(24)).isEqualTo((int) crc.getValue());
        assertThat(CompactionBoundary.decode(bytes, dir)).isEqualTo(new CompactionBoundary(0x0102, 7));
        bytes[10] ^= 1;
        Files.write(dir.resolve(CommitLogRaftLog.COMPACTION_FILE), bytes);
        assertThatThrownBy(this::open).isInstanceOf(LogStorageException.class)
            .hasMessageContaining(CommitLogRaftLog.COMPACTION_FILE).cause().hasMessageContaining("crc mismatch");
        commitLog.close();
        Files.write(dir.resolve(CommitLogRaftLog.COMPACTION_FILE), new byte[5]);
        assertThatThrownBy(this::open).isInstanceOf(LogStorageException.class).cause()
            .hasMessageContaining("length 5");
    }
}
