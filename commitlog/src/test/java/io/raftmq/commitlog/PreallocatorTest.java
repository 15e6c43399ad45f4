package io.raftmq.commitlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.error.DiskFullException;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.io.FaultyMemoryStorage;
import io.raftmq.commitlog.io.NoSpaceException;
import io.raftmq.commitlog.segment.Preallocator;
import io.raftmq.commitlog.segment.Segment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the {@link Preallocator} zero-fills ahead of the writer (next segment included) without ever touching
 * data, a full disk during preallocation damages nothing and appends fail (typed) only when they cannot write,
 * and recovery, truncation and retention cope with a preallocated, still empty next segment. Method: MANUAL logs
 * whose preallocator is driven by hand (deterministic), plus one ASYNC log whose agent thread races the writer.
 */
@ProcessTest
class PreallocatorTest {
    private static final long SEG = 256 * 1024;
    private static final int BODY = 3000;

    @TempDir
    Path dir;

    private CommitLogConfig.Builder cfg(Path d, FlushMode mode) {
        return TestLogs.small(d, mode).segmentBytes(SEG);
    }

    @Test
    void zeroFillsAheadAndTheNextSegmentThenAppendsRollIntoIt() throws Exception {
        CommitLogConfig c = cfg(dir, FlushMode.MANUAL).build();
        long last;
        try (CommitLog log = CommitLog.open(c, null)) {
            last = appendN(log, 1, 40);
            long wp = log.endPosition();
            assertThat(log.preallocator().doWork()).as("bytes zero-filled").isPositive();
            Segment next = log.segments().find(SEG);
            assertThat(next).as("next segment created early").isNotNull();
            assertThat(next.zeroedTo()).as("filled up to writer + window").isEqualTo(wp);
            assertThat(log.segments().find(0).zeroedTo()).isEqualTo(SEG);
            ByteBuffer all = ByteBuffer.allocate((int) SEG);
            next.file().read(0, all);
            assertThat(all.flip().remaining()).isEqualTo((int) SEG);
            while (all.hasRemaining()) {
                assertThat(all.get()).isZero();
            }
            assertThat(allocatedBytes(next.file().path())).as("real blocks, not a hole")
                .isGreaterThanOrEqualTo(next.zeroedTo());
            assertThat(log.preallocator().doWork()).as("nothing left to do").isZero();
            last = appendN(log, last + 1, 100);
            assertThat(log.endPosition()).as("rolled into the preallocated segment").isGreaterThan(SEG);
            verify(log, last);
        }
        try (CommitLog log = CommitLog.open(c, null)) {
            verify(log, last);
        }
    }

    @Test
    void abandonedLogWithEmptyPreallocatedSegmentRecovers() throws Exception {
        CommitLogConfig c = cfg(dir, FlushMode.MANUAL).build();
        CommitLog crashed = CommitLog.open(c, null);
        long last = appendN(crashed, 1, 30);
        crashed.preallocator().doWork();
        crashed.flush();
        assertThat(Files.exists(dir.resolve("log").resolve(crashed.segments().fileName(SEG)))).isTrue();
        // No close: as after kill -9 (MANUAL mode runs no thread that could still write).
        try (CommitLog log = CommitLog.open(c, null)) {
            verify(log, last);
            last = appendN(log, last + 1, 120);
            verify(log, last);
            log.flush();
        }
        try (CommitLog log = CommitLog.open(c, null)) {
            verify(log, last);
        }
    }

    @Test
    void fullDiskDuringPreallocationDamagesNothing() throws Exception {
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        CommitLogConfig c = cfg(Path.of("/mem/pre"), FlushMode.MANUAL).build();
        Path nextFile = Path.of("/mem/pre/log/00000000000000262144");
        try (CommitLog log = CommitLog.open(c, null, storage)) {
            long last = appendN(log, 1, 10);
            storage.setFull(true);
            assertThatThrownBy(() -> log.preallocator().doWork()).isInstanceOf(NoSpaceException.class);
            assertThat(storage.exists(nextFile)).as("no half-made next segment").isFalse();
            verify(log, last);
            assertThatThrownBy(() -> appendN(log, last + 1, 1)).as("the append itself cannot write")
                .isInstanceOf(DiskFullException.class);
            storage.setFull(false);
            assertThat(log.preallocator().doWork()).isPositive();
            assertThat(storage.exists(nextFile)).isTrue();
            long end = appendN(log, last + 1, 100);
            verify(log, end);
            log.flush();
        }
        try (CommitLog log = CommitLog.open(c, null, storage)) {
            verify(log, 110);
        }
    }

    @Test
    void agentThreadBacksOffOnFullDiskWhileAppendsUsePreallocatedBlocks() {
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        CommitLogConfig c = cfg(Path.of("/mem/pre2"), FlushMode.ASYNC).build();
        try (CommitLog log = CommitLog.open(c, null, storage)) {
            // The first pass runs with the writer at 0: it leaves only [0, guard) sparse, which data then covers.
            waitFor(() -> log.segments().find(0) != null && log.segments().find(0).zeroedTo() == SEG, "first pass");
            long last = appendN(log, 1, 55);
            waitFor(() -> caughtUp(log), "agent filled one window ahead");
            storage.setFull(true);
            last = appendN(log, last + 1, 25);
            assertThat(log.endPosition()).as("still in segment 0").isLessThan(SEG);
            waitFor(() -> log.preallocator().errors() > 0, "preallocator hit the full disk");
            verify(log, last);
            storage.setFull(false);
            waitFor(() -> caughtUp(log), "agent resumed once space returned");
            last = appendN(log, last + 1, 60);
            verify(log, last);
        }
    }

    /** The agent has zero-filled the next segment up to writer + window. */
    private static boolean caughtUp(CommitLog log) {
        Segment next = log.segments().find(SEG);
        return next != null && next.zeroedTo() >= log.endPosition();
    }

    @Test
    void truncationAndRetentionRemovePreallocatedSegments() throws Exception {
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        CommitLogConfig c = cfg(Path.of("/mem/pre3"), FlushMode.MANUAL).retentionAgeMs(0).build();
        try (CommitLog log = CommitLog.open(c, null, storage)) {
            long last = appendN(log, 1, 200);
            long activeBase = log.segments().baseOf(log.endPosition());
            log.preallocator().doWork();
            assertThat(log.segments().last().base()).as("preallocated next").isEqualTo(activeBase + SEG);
            int deleted = log.deleteExpired(last, Long.MAX_VALUE);
            assertThat(deleted).as("all but the active and the preallocated one").isEqualTo(activeBase / SEG);
            assertThat(log.segments().all()).hasSize(2);
            long keep = log.firstIndex() + 2;
            log.truncateFrom(keep);
            assertThat(log.segments().last().base()).as("truncation drops the preallocated segment")
                .isEqualTo(activeBase);
            log.preallocator().doWork();
            long end = appendN(log, keep, 150);
            assertThat(log.lastIndex()).isEqualTo(end);
            log.flush();
        }
    }

    @Test
    void zeroFillRacingTheWriterNeverHitsData() {
        CommitLogConfig c = cfg(dir, FlushMode.ASYNC).flushIntervalMs(1).build();
        long last;
        try (CommitLog log = CommitLog.open(c, null)) {
            waitFor(() -> log.segments().find(0) != null && log.segments().find(0).zeroedTo() == SEG, "first pass");
            last = appendN(log, 1, 1500);
            log.flush();
            verify(log, last);
        }
        try (CommitLog log = CommitLog.open(c, null)) {
            verify(log, last);
        }
    }

    /** Appends records first..first+n-1 one by one; returns the last index. */
    private static long appendN(CommitLog log, long first, int n) {
        for (long i = first; i < first + n; i++) {
            TestLogs.appendOne(log, 1, i, TestLogs.body(i, BODY));
        }
        return first + n - 1;
    }

    private static void verify(CommitLog log, long lastIndex) {
        assertThat(log.lastIndex()).isEqualTo(lastIndex);
        ByteBuffer dst = ByteBuffer.allocate(1 << 16);
        long next = log.firstIndex();
        while (next <= lastIndex) {
            dst.clear();
            assertThat(log.entries(next, lastIndex + 1, dst)).isPositive();
            for (TestLogs.Rec r : TestLogs.decode(dst)) {
                assertThat(r.index()).isEqualTo(next);
                assertThat(r.body()).isEqualTo(TestLogs.body(next, BODY).array());
                next++;
            }
        }
    }

    private static long allocatedBytes(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String[] parts = out.split(" ");
        return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
    }

    private static void waitFor(BooleanSupplier cond, String what) {
        Awaits.await(what).atMost(Duration.ofSeconds(10)).until(cond::getAsBoolean);
    }
}
