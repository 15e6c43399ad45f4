package io.raftmq.broker.replication;

import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.RecordStamper;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.LogCompactedException;
import io.raftmq.raft.log.LogStorageException;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the adapter behaves exactly like the reference {@link MemoryRaftLog} under random appends, truncations,
 * syncs and reopens (reads served both from the tail cache and from disk, across segment rolls), keeps a snapshot
 * reset across reopen (also one a crash interrupted), and the boundary file has the drawn layout. Method: a real
 * CommitLog in a temp dir with small segments, a seeded random workload (seed printed in failures).
 */
class CommitLogRaftLogTest {
    private static final long SEED = Seeds.seed("raftlog.seed", 20261123L);

    @TempDir
    Path dir;

    private CommitLog commitLog;

    @AfterEach
    void close() {
        if (commitLog != null) {
            commitLog.close();
        }
    }

    /** The tail cache's byte budget of the logs {@link #open} opens. */
    private long cacheBytesMax = CommitLogRaftLog.TAIL_CACHE_BYTES_MAX_DEFAULT;

    private CommitLogRaftLog open(int cacheEntries) {
        return open(cacheEntries, 16 * 1024);
    }

    private CommitLogRaftLog open(int cacheEntries, int recordBytesMax) {
        CommitLogConfig cfg = CommitLogConfig.builder(dir.resolve("log")).segmentBytes(1024 * 1024)
            .recordBytesMax(recordBytesMax).writeBufferBytes(Math.max(64 * 1024, recordBytesMax))
            .indexUnitsPerSegment(256).flushMode(FlushMode.MANUAL).build();
        commitLog = CommitLog.open(cfg, RecordStamper.NONE);
        return new CommitLogRaftLog(commitLog, dir.resolve("raft-boundary"), () -> 1_700_000_000_000L, cacheEntries,
            cacheBytesMax);
    }

    private CommitLogRaftLog reopen(int cacheEntries) {
        int recordBytesMax = commitLog.config().recordBytesMax();
        commitLog.close();
        return open(cacheEntries, recordBytesMax);
    }

    private static List<Entry> batch(SplittableRandom r, long firstIndex, long term, int n) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] p = new byte[r.nextInt(3000)];
            r.nextBytes(p);
            out.add(new Entry(term, firstIndex + i, r.nextInt(5) == 0 ? Entry.TYPE_NOOP : 16 + r.nextInt(200), p,
                1_700_000_000_000L + firstIndex + i)); // the leader's clock travels with the entry
        }
        return out;
    }

    @Test
    void behavesLikeTheReferenceLogUnderRandomOperations() {
        randomOperations();
    }

    /** Entries of up to 3,000 bytes against a budget of 8,000: the cache evicts by bytes long before by count. */
    @Test
    void behavesLikeTheReferenceLogWithASmallTailCacheByteBudget() {
        cacheBytesMax = 8_000;
        randomOperations();
    }

    private void randomOperations() {
        SplittableRandom r = new SplittableRandom(SEED);
        CommitLogRaftLog log = open(8);
        MemoryRaftLog ref = new MemoryRaftLog();
        long term = 1;
        for (int step = 0; step < 300; step++) {
            int op = r.nextInt(10);
            if (op < 6) {
                List<Entry> b = batch(r, ref.lastIndex() + 1, term, 1 + r.nextInt(20));
                log.write(b);
                ref.write(b);
            } else if (op < 8 && ref.lastIndex() >= 1) {
                term++;
                long from = 1 + r.nextLong(ref.lastIndex());
                List<Entry> b = batch(r, from, term, 1 + r.nextInt(5));
                log.write(b);
                ref.write(b);
            } else if (op == 8) {
                log.sync();
                ref.sync();
            } else {
                log.sync();
                log = reopen(r.nextInt(1, 64));
            }
            compare(log, ref, r, step);
            assertThat(log.tailCacheBytes()).as("step %d seed %d", step, SEED).isBetween(0L, cacheBytesMax);
        }
    }

    private static void compare(CommitLogRaftLog log, MemoryRaftLog ref, SplittableRandom r, int step) {
        String ctx = "step " + step + " seed " + SEED;
        assertThat(log.firstIndex()).as(ctx).isEqualTo(ref.firstIndex());
        assertThat(log.lastIndex()).as(ctx).isEqualTo(ref.lastIndex());
        assertThat(log.term(0)).as(ctx).isZero();
        if (ref.lastIndex() == 0) {
            return;
        }
        for (int k = 0; k < 5; k++) {
            long i = 1 + r.nextLong(ref.lastIndex());
            assertThat(log.term(i)).as(ctx + " term(" + i + ")").isEqualTo(ref.term(i));
        }
        long lo = 1 + r.nextLong(ref.lastIndex());
        long hi = lo + r.nextLong(ref.lastIndex() - lo + 2);
        long maxBytes = r.nextInt(4) == 0 ? 1 : r.nextLong(1, 40_000);
        assertThat(log.entries(lo, hi, maxBytes)).as(ctx + " entries[" + lo + "," + hi + ") max " + maxBytes)
            .isEqualTo(ref.entries(lo, hi, maxBytes));
    }

    @Test
    void entriesLargerThanTheFirstReadWindowAreReadFromDisk() {
        CommitLogRaftLog log = open(1, 512 * 1024);
        List<Entry> big = List.of(new Entry(1, 1, 16, new byte[200_000], 7), new Entry(1, 2, 16, new byte[100], 8),
            new Entry(1, 3, 16, new byte[300_000], 9));
        big.get(0).payload()[199_999] = 7;
        log.write(big);
        log.sync();
        CommitLogRaftLog again = reopen(1);
        assertThat(again.entries(1, 4, 1)).containsExactly(big.get(0));
        assertThat(again.entries(1, 4, 250_000)).containsExactly(big.get(0), big.get(1));
        assertThat(again.entries(3, 4, 1)).containsExactly(big.get(2));
        assertThat(again.entriesReadFromLog()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void snapshotResetSurvivesReopen() {
        SplittableRandom r = new SplittableRandom(SEED);
        CommitLogRaftLog log = open(16);
        log.write(batch(r, 1, 1, 30));
        log.sync();
        log.resetToSnapshot(100, 4);
        assertThat(log.firstIndex()).isEqualTo(101);
        assertThat(log.lastIndex()).isEqualTo(100);
        assertThat(log.term(100)).isEqualTo(4);
        assertThatThrownBy(() -> log.term(99)).isInstanceOf(LogCompactedException.class);
        log.write(batch(r, 101, 5, 3));
        log.sync();
        CommitLogRaftLog again = reopen(16);
        assertThat(again.firstIndex()).isEqualTo(101);
        assertThat(again.lastIndex()).isEqualTo(103);
        assertThat(again.term(100)).isEqualTo(4);
        assertThat(again.term(103)).isEqualTo(5);
        assertThatThrownBy(() -> again.entries(100, 101, 1000)).isInstanceOf(LogCompactedException.class);
    }

    @Test
    void aResetInterruptedAfterTheBoundaryWasWrittenIsFinishedOnOpen() throws Exception {
        SplittableRandom r = new SplittableRandom(SEED);
        CommitLogRaftLog log = open(16);
        log.write(batch(r, 1, 1, 10));
        log.sync();
        commitLog.close();
        Files.write(dir.resolve("raft-boundary"), new SnapshotBoundary(50, 3).encode());
        CommitLogRaftLog again = open(16);
        assertThat(again.firstIndex()).isEqualTo(51);
        assertThat(again.lastIndex()).isEqualTo(50);
        assertThat(again.term(50)).isEqualTo(3);
    }

    @Test
    void boundaryGoldenBytesAndCorruption() throws Exception {
        byte[] bytes = new SnapshotBoundary(0x0102, 7).encode();
        assertThat(HexFormat.of().formatHex(bytes, 0, 24))
            .isEqualTo("52465342" + "01000000" + "0000000000000102" + "0000000000000007");
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, 24);
        assertThat(java.nio.ByteBuffer.wrap(bytes).getInt(24)).isEqualTo((int) crc.getValue());
        bytes[10] ^= 1;
        Files.write(dir.resolve("raft-boundary"), bytes);
        assertThatThrownBy(() -> open(16)).isInstanceOf(LogStorageException.class)
            .hasMessageContaining("raft-boundary").cause().hasMessageContaining("crc mismatch");
    }
}
