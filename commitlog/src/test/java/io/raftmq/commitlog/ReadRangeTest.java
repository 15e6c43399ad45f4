package io.raftmq.commitlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.error.LogTruncatedException;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.record.RecordHeader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@link CommitLog#readRange} returns exactly the stored bytes of any range inside one segment of the
 * readable log, refuses ranges it cannot serve with the documented errors, and never returns wrong bytes while
 * retention deletes segments under it. Method: records with index-derived bodies across many 64 KiB segments; the
 * race test reads random bodies on one thread while another deletes old segments (seeded, seed printed).
 */
class ReadRangeTest {
    private static final int RECORDS = 400;

    @TempDir
    Path dir;

    @Test
    void servesExactBodiesAndSubRangesAcrossSegments() {
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            long[] pos = appendAll(log);
            for (long i = 1; i <= RECORDS; i++) {
                ByteBuffer dst = ByteBuffer.allocateDirect(size(i));
                log.readRange(pos[(int) i] + RecordHeader.HEADER_LENGTH, dst);
                assertThat(dst.position()).isEqualTo(size(i));
                assertThat(dst.flip()).isEqualTo(TestLogs.body(i, size(i)));
            }
            ByteBuffer part = ByteBuffer.allocate(10);
            log.readRange(pos[7] + RecordHeader.HEADER_LENGTH + 5, part);
            assertThat(part.flip()).isEqualTo(TestLogs.body(7, size(7)).position(5).limit(15));
            assertThat(pos[RECORDS]).as("the log spans several segments").isGreaterThan(4 * 64 * 1024);
        }
    }

    @Test
    void refusesRangesItCannotServe() {
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            long[] pos = appendAll(log);
            long end = log.endPosition();
            assertThatThrownBy(() -> log.readRange(end - 4, ByteBuffer.allocate(8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readable end");
            assertThatThrownBy(() -> log.readRange(64 * 1024 - 4, ByteBuffer.allocate(8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segment end");
            assertThatThrownBy(() -> log.readRange(0, ByteBuffer.allocate(0)))
                .isInstanceOf(IllegalArgumentException.class);
            assertThat(log.deleteExpired(RECORDS, Long.MAX_VALUE)).isPositive();
            assertThatThrownBy(() -> log.readRange(pos[1], ByteBuffer.allocate(8)))
                .isInstanceOf(LogTruncatedException.class);
        }
    }

    @Test
    void retentionRacingReadsNeverServesWrongBytes() throws Exception {
        long seed = Seeds.seed("readrange.seed");
        SplittableRandom rnd = new SplittableRandom(seed);
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            long[] pos = appendAll(log);
            AtomicBoolean done = new AtomicBoolean();
            CompletableFuture<long[]> reader = CompletableFuture.supplyAsync(() -> readUntil(log, pos, rnd, done));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (long floor = 1; floor <= RECORDS && System.nanoTime() < deadline; floor += 3) {
                log.deleteExpired(floor, Long.MAX_VALUE);
            }
            done.set(true);
            long[] counts = reader.get(30, TimeUnit.SECONDS);
            assertThat(counts[0]).as("reads that succeeded").isPositive();
            assertThat(counts[1]).as("reads refused as truncated").isPositive();
        }
    }

    /** Reads random bodies until done and deleted up to the last segment; {ok, truncated}. */
    private static long[] readUntil(CommitLog log, long[] pos, SplittableRandom rnd, AtomicBoolean done) {
        long ok = 0;
        long truncated = 0;
        ByteBuffer dst = ByteBuffer.allocate(8 * 1024);
        while (!done.get() || truncated == 0) {
            long i = 1 + rnd.nextInt(RECORDS);
            dst.clear().limit(size(i));
            try {
                log.readRange(pos[(int) i] + RecordHeader.HEADER_LENGTH, dst);
            } catch (LogTruncatedException e) {
                assertThat(pos[(int) i]).isLessThan(log.startPosition());
                truncated++;
                continue;
            }
            assertThat(dst.flip()).isEqualTo(TestLogs.body(i, size(i)));
            ok++;
        }
        return new long[] {ok, truncated};
    }

    private static int size(long i) {
        return 1 + (int) (i * 997 % 3000);
    }

    /** Appends records 1..RECORDS; returns their positions by index. */
    private static long[] appendAll(CommitLog log) {
        long[] pos = new long[RECORDS + 1];
        for (long i = 1; i <= RECORDS; i++) {
            pos[(int) i] = TestLogs.appendOne(log, 1, i, TestLogs.body(i, size(i)));
        }
        return pos;
    }
}
