package io.raftmq.commitlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.io.FaultyMemoryStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: replicas that append the same records with the same segment size store byte-identical segment files, no
 * matter how the records were batched, including the stamped body positions and a truncate-and-redo in between.
 * Method: one log appends 400 records one by one, the other in random batches (seeded) after first appending a
 * divergent suffix and truncating it away; the segment files are compared byte for byte.
 */
class DeterminismTest {
    @TempDir
    Path tmp;

    @Test
    void sameRecordsSameBytes() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        try (CommitLog log = CommitLog.open(TestLogs.small(a, FlushMode.MANUAL).build(),
            new CommitLogPropertyTest.PositionStamper())) {
            for (long i = 1; i <= 400; i++) {
                log.append(new AppendBatch(1).add(1 + i / 100, i, (byte) 3, 77 * i, body(i)));
            }
        }
        Random rnd = new Random(12345);
        try (CommitLog log = CommitLog.open(TestLogs.small(b, FlushMode.MANUAL).build(),
            new CommitLogPropertyTest.PositionStamper())) {
            for (long i = 1; i <= 50; i++) {
                log.append(new AppendBatch(1).add(9, i, (byte) 3, 0, TestLogs.body(i, 999)));
            }
            log.truncateFrom(1);
            for (long i = 1; i <= 400; ) {
                int n = (int) Math.min(1 + rnd.nextInt(16), 401 - i);
                AppendBatch batch = new AppendBatch(n);
                for (int k = 0; k < n; k++, i++) {
                    batch.add(1 + i / 100, i, (byte) 3, 77 * i, body(i));
                }
                log.append(batch);
            }
        }
        assertThat(list(a.resolve("log"))).hasSizeGreaterThan(3);
        assertSameSegments(a, b);
    }

    /**
     * A replica that held a different, larger record at an index (one that did not fit in the segment's tail, so it
     * opened the next segment) and truncated it, then appended the same records as another replica: the same bytes
     * (the small record goes into the tail, as on the replica that never held the large one).
     */
    @Test
    void truncatingARecordThatOpenedASegmentResumesInThePreviousTail() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        long segmentBytes = 64 * 1024;
        long k;
        try (CommitLog log = CommitLog.open(TestLogs.small(b, FlushMode.MANUAL).build(),
            new CommitLogPropertyTest.PositionStamper())) {
            k = appendUntilTheTailTakesOnlyTheNext(log);
            log.append(new AppendBatch(1).add(1, k + 1, (byte) 3, 0, TestLogs.body(k + 1, 8 * 1024 - 48)));
            assertThat(Math.floorMod(log.position(k + 1), segmentBytes)).as("the large record opened a segment")
                .isZero();
            log.truncateFrom(k + 1);
            for (long i = k + 1; i <= k + 40; i++) {
                log.append(new AppendBatch(1).add(2, i, (byte) 3, 77 * i, body(i)));
            }
        }
        try (CommitLog log = CommitLog.open(TestLogs.small(a, FlushMode.MANUAL).build(),
            new CommitLogPropertyTest.PositionStamper())) {
            for (long i = 1; i <= k + 40; i++) {
                log.append(new AppendBatch(1).add(i <= k ? 1 : 2, i, (byte) 3, 77 * i, body(i)));
            }
            assertThat(Math.floorMod(log.position(k + 1), segmentBytes)).as("record k+1 fits the tail").isPositive();
        }
        assertSameSegments(a, b);
    }

    /**
     * The same after a power loss instead of a truncation: the record that opened a segment was never forced, so
     * recovery finds the previous segment closed by a filler and nothing valid behind it. The log must end at its
     * last record, so the next record takes the position it has on a replica that never held the lost one.
     */
    @Test
    void aLostRecordThatOpenedASegmentLeavesTheLogEndingAtThePreviousTail() throws IOException {
        long segmentBytes = 64 * 1024;
        CommitLogConfig cfg = TestLogs.small(tmp.resolve("c"), FlushMode.MANUAL).build();
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        CommitLog log = CommitLog.open(cfg, new CommitLogPropertyTest.PositionStamper(), storage);
        long k = appendUntilTheTailTakesOnlyTheNext(log);
        log.flush();
        log.append(new AppendBatch(1).add(1, k + 1, (byte) 3, 0, TestLogs.body(k + 1, 8 * 1024 - 48)));
        assertThat(Math.floorMod(log.position(k + 1), segmentBytes)).as("the large record opened a segment").isZero();
        storage.crash(new Random(7), false); // the large record was never forced: lost
        try (CommitLog after = CommitLog.open(cfg, new CommitLogPropertyTest.PositionStamper(), storage);
             CommitLog fresh = CommitLog.open(TestLogs.small(tmp.resolve("d"), FlushMode.MANUAL).build(),
                 new CommitLogPropertyTest.PositionStamper())) {
            assertThat(after.lastIndex()).isEqualTo(k);
            for (long i = 1; i <= k + 40; i++) {
                if (i > k) {
                    after.append(new AppendBatch(1).add(2, i, (byte) 3, 77 * i, body(i)));
                }
                fresh.append(new AppendBatch(1).add(i <= k ? 1 : 2, i, (byte) 3, 77 * i, body(i)));
                assertThat(after.position(i)).as("position of record %d", i).isEqualTo(fresh.position(i));
            }
        }
    }

    /**
     * Appends records 1, 2, ... (term 1) until the tail of the 64 KiB segment can take the next record ({@link #body})
     * but not an 8 KiB one; returns the last index appended.
     */
    private static long appendUntilTheTailTakesOnlyTheNext(CommitLog log) {
        long segmentBytes = 64 * 1024;
        long k = 0;
        long room = 0;
        while (room < 48 + body(k + 1).remaining() + 48 || room >= 8 * 1024) {
            k++;
            log.append(new AppendBatch(1).add(1, k, (byte) 3, 77 * k, body(k)));
            room = segmentBytes - Math.floorMod(log.position(k) + 48 + body(k).remaining(), segmentBytes);
        }
        return k;
    }

    /** The logs under {@code a} and {@code b} have the same segment files with the same bytes. */
    private static void assertSameSegments(Path a, Path b) throws IOException {
        List<Path> segsA = list(a.resolve("log"));
        assertThat(list(b.resolve("log")).stream().map(p -> p.getFileName().toString()).toList())
            .isEqualTo(segsA.stream().map(p -> p.getFileName().toString()).toList());
        for (Path p : segsA) {
            assertThat(Files.readAllBytes(b.resolve("log").resolve(p.getFileName())))
                .as("segment %s", p.getFileName()).isEqualTo(Files.readAllBytes(p));
        }
    }

    private static ByteBuffer body(long i) {
        return TestLogs.body(i, 8 + (int) ((i * 7919) % 2500));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
