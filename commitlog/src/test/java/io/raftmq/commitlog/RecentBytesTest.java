package io.raftmq.commitlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.testsupport.Seeds;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: reads of the newest records are served from the bytes the writer keeps in memory ({@link RecentBytes}) and
 * return exactly what the files hold; older records, reads after a restart, and records rewritten after a
 * truncation come from the right place with the right bytes. Method: a small log (32 KiB kept in memory, 64 KiB
 * segments), seeded record sizes ({@code -Drecent.seed=N}, printed), the log's count of reads served from memory,
 * and the ring on its own for wrap-around, gaps and truncation.
 */
class RecentBytesTest {
    private static final int RECORDS = 120;

    @TempDir
    Path dir;

    @Test
    void theNewestRecordsAreReadFromMemoryOlderOnesAndThoseAfterARestartFromTheFiles() {
        long seed = Seeds.seed("recent.seed", 17);
        SplittableRandom random = new SplittableRandom(seed);
        int[] sizes = new int[RECORDS + 1];
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            for (int i = 1; i <= RECORDS; i++) {
                sizes[i] = 200 + random.nextInt(2000);
                TestLogs.appendOne(log, 1, i, TestLogs.body(i, sizes[i]));
            }
            long before = log.readsFromMemory();
            assertRecord(log, RECORDS, sizes[RECORDS]);
            assertThat(log.readsFromMemory()).as("the last record comes from memory").isEqualTo(before + 1);
            assertRecord(log, 1, sizes[1]);
            assertThat(log.readsFromMemory()).as("the first record is long gone from memory").isEqualTo(before + 1);
            log.flush();
        }
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            for (int i = 1; i <= RECORDS; i++) {
                assertRecord(log, i, sizes[i]);
            }
            assertThat(log.readsFromMemory()).as("after a restart everything comes from the files").isZero();
            TestLogs.appendOne(log, 1, RECORDS + 1, TestLogs.body(RECORDS + 1, 300));
            assertRecord(log, RECORDS + 1, 300);
            assertThat(log.readsFromMemory()).isEqualTo(1);
        }
    }

    @Test
    void recordsRewrittenAfterATruncationAreReadWithTheirNewBytes() {
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            for (int i = 1; i <= 10; i++) {
                TestLogs.appendOne(log, 1, i, TestLogs.body(i, 500));
            }
            assertRecord(log, 8, 500);
            log.truncateFrom(6);
            for (int i = 6; i <= 10; i++) {
                TestLogs.appendOne(log, 2, i, TestLogs.body(i + 1000, 700));
            }
            long before = log.readsFromMemory();
            ByteBuffer dst = ByteBuffer.allocate(8 * 1024);
            log.read(log.position(8), dst);
            List<TestLogs.Rec> recs = TestLogs.decode(dst);
            assertThat(recs.get(0).index()).isEqualTo(8);
            assertThat(recs.get(0).term()).isEqualTo(2);
            assertThat(ByteBuffer.wrap(recs.get(0).body())).isEqualTo(TestLogs.body(1008, 700));
            assertThat(log.readsFromMemory()).isEqualTo(before + 1);
        }
    }

    @Test
    void readersRacingTheWriterGetWholeRecordsFromMemoryOrFromTheFiles() throws Exception {
        long seed = Seeds.seed("recent.seed", 19);
        int records = 3_000;
        int[] sizes = new int[records + 1];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 1; i <= records; i++) {
            sizes[i] = 100 + random.nextInt(3000);
        }
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            Thread reader = new Thread(() -> {
                SplittableRandom r = new SplittableRandom(seed + 1);
                try {
                    while (!done.get()) {
                        long last = log.lastIndex();
                        if (last >= 1) {
                            long index = Math.max(1, last - r.nextInt(40)); // the tail: mostly from memory
                            assertRecord(log, index, sizes[(int) index]);
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "recent-reader");
            reader.start();
            for (int i = 1; i <= records; i++) {
                TestLogs.appendOne(log, 1, i, TestLogs.body(i, sizes[i]));
            }
            done.set(true);
            reader.join(30_000);
            assertThat(reader.isAlive()).isFalse();
            assertThat(failure.get()).as("seed %d", seed).isNull();
            assertThat(log.readsFromMemory()).isPositive();
        }
    }

    @Test
    void theRingWrapsRestartsAfterAGapAndForgetsWhatATruncationDrops() {
        RecentBytes ring = new RecentBytes(100);
        ByteBuffer src = ByteBuffer.allocate(256);
        for (int i = 0; i < 256; i++) {
            src.put(i, (byte) i);
        }
        ring.written(1000, src, 0, 60);
        assertThat(ring.copy(1050, 20, ByteBuffer.allocate(20))).as("beyond what was written").isFalse();
        ring.written(1060, src, 60, 70); // wraps: [1030, 1130) kept
        assertThat(ring.floor()).isEqualTo(1030);
        assertCopy(ring, 1030, 100, 30);
        assertThat(ring.copy(1029, 10, ByteBuffer.allocate(10))).isFalse();
        ring.truncateTo(1100);
        ring.written(1100, src, 200, 10); // positions [1100, 1110) now hold src[200..210)
        ByteBuffer dst = ByteBuffer.allocate(10);
        assertThat(ring.copy(1100, 10, dst)).isTrue();
        assertThat(dst.get(0)).isEqualTo((byte) 200);
        ring.written(5000, src, 0, 10); // a gap (segment roll): only the new bytes are kept
        assertThat(ring.floor()).isEqualTo(5000);
        assertThat(ring.copy(1100, 10, ByteBuffer.allocate(10))).isFalse();
        assertCopy(ring, 5000, 10, 0);
        ring.written(5010, src, 0, 250); // longer than the ring: its last 100 bytes
        assertThat(ring.floor()).isEqualTo(5160);
        assertCopy(ring, 5160, 100, 150);
    }

    /** Copies [position, position + length) and checks it equals src bytes from {@code srcFrom} on. */
    private static void assertCopy(RecentBytes ring, long position, int length, int srcFrom) {
        ByteBuffer dst = ByteBuffer.allocate(length + 3);
        dst.position(3);
        assertThat(ring.copy(position, length, dst)).isTrue();
        assertThat(dst.position()).isEqualTo(3 + length);
        for (int i = 0; i < length; i++) {
            assertThat(dst.get(3 + i)).isEqualTo((byte) (srcFrom + i));
        }
    }

    /** Reads record {@code index} alone and checks it is the body appended for it. */
    private static void assertRecord(CommitLog log, long index, int size) {
        ByteBuffer dst = ByteBuffer.allocate(size + 64);
        log.read(log.position(index), dst);
        List<TestLogs.Rec> recs = TestLogs.decode(dst);
        assertThat(recs).hasSize(1);
        assertThat(recs.get(0).index()).isEqualTo(index);
        assertThat(ByteBuffer.wrap(recs.get(0).body())).isEqualTo(TestLogs.body(index, size));
    }
}
