package io.raftmq.commitlog.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.TestLogs;
import io.raftmq.commitlog.flush.FlushMode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: recovery's work is bounded by what changed, without losing its verdicts. Method: logs with 16 MiB segments
 * (so a zero run of {@link TornTail#ZERO_RUN_MIN} fits inside one) are closed, damaged and reopened.
 * Outcomes: the torn-tail search stops at a zero run that long (a valid record behind it is not searched for, one
 * in front of it still means damage inside the log, which is cut back); the index check on open, which reads units
 * in runs, still finds damage in any run (the index is rebuilt).
 */
class BoundedRecoveryTest {
    private static final int N = 30;
    private static final int SIZE = 3000;
    private static final long SEGMENT = 16L << 20;

    @TempDir
    Path tmp;

    private static CommitLogConfig cfg(Path dir) {
        return TestLogs.small(dir, FlushMode.MANUAL).segmentBytes(SEGMENT).indexUnitsPerSegment(65536)
            .preallocateAheadBytes(0).build();
    }

    /** Writes records 1..count of {@code size} bytes, closes the log, deletes the checkpoint if asked. */
    private long[] write(Path dir, int count, int size, boolean keepCheckpoint) throws IOException {
        long[] positions = new long[count + 1];
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            for (long i = 1; i <= count; i++) {
                positions[(int) i] = TestLogs.appendOne(log, 1 + i / 10, i, TestLogs.body(i, size));
            }
        }
        if (!keepCheckpoint) {
            Files.delete(dir.resolve("checkpoint"));
        }
        return positions;
    }

    private static Path segment(Path dir) {
        return dir.resolve("log").resolve(String.format("%020d", 0));
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x10);
        }
    }

    /** Copies the whole valid record {@code index} (header and body) to {@code at}. */
    private static void plantCopy(Path seg, long[] positions, int index, long at) throws IOException {
        byte[] rec = new byte[48 + SIZE];
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(positions[index]);
            f.readFully(rec);
            f.seek(at);
            f.write(rec);
        }
    }

    private static byte[] read(Path file, long at, int length) throws IOException {
        byte[] b = new byte[length];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.seek(at);
            f.readFully(b);
        }
        return b;
    }

    @Test
    void tornTailSearchStopsAtALongZeroRun() throws IOException {
        Path dir = tmp.resolve("far");
        long[] positions = write(dir, N, SIZE, false);
        long end = positions[N] + 48 + SIZE;
        flip(segment(dir), positions[N] + 100);
        long far = end + TornTail.ZERO_RUN_MIN + 4096;
        plantCopy(segment(dir), positions, 5, far);
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            assertThat(log.lastIndex()).isEqualTo(N - 1);
            assertThat(log.endPosition()).isEqualTo(positions[N]);
            assertThat(log.term(N - 1)).isEqualTo(1 + (N - 1) / 10);
        }
        assertThat(read(segment(dir), positions[N], 48 + SIZE)).as("torn record zeroed")
            .containsOnly((byte) 0);
        assertThat(read(segment(dir), far, 4)).as("beyond the bound: not searched, not touched")
            .isNotEqualTo(new byte[4]);
    }

    @Test
    void validRecordInFrontOfTheZeroRunBoundIsStillCorruption() throws IOException {
        Path dir = tmp.resolve("near");
        long[] positions = write(dir, N, SIZE, false);
        long end = positions[N] + 48 + SIZE;
        flip(segment(dir), positions[N] + 100);
        plantCopy(segment(dir), positions, 5, end + TornTail.ZERO_RUN_MIN - 2 * 4096);
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            assertThat(log.recoveryLoss()).as("damage, not a torn tail").isNotNull();
            assertThat(log.recoveryLoss().offset()).isEqualTo(positions[N]);
            assertThat(log.lastIndex()).isEqualTo(N - 1);
        }
        assertThat(read(segment(dir), end + TornTail.ZERO_RUN_MIN - 2 * 4096, 4)).as("planted copy zeroed")
            .containsOnly((byte) 0);
    }

    @Test
    void tornRecordBeforeTheTailIsCorruption() throws IOException {
        Path dir = tmp.resolve("mid");
        long[] positions = write(dir, N, SIZE, false);
        flip(segment(dir), positions[20] + 48 + 7);
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            assertThat(log.recoveryLoss().offset()).isEqualTo(positions[20]);
            assertThat(log.recoveryLoss().highestIndexSeen()).isEqualTo(N);
            assertThat(log.lastIndex()).isEqualTo(19);
        }
    }

    @Test
    void garbageAfterTheRecordedTailIsTruncated() throws IOException {
        Path dir = tmp.resolve("garbage");
        long[] positions = write(dir, N, SIZE, true);
        long end = positions[N] + 48 + SIZE;
        byte[] junk = new byte[5000];
        new java.util.SplittableRandom(11).nextBytes(junk);
        try (RandomAccessFile f = new RandomAccessFile(segment(dir).toFile(), "rw")) {
            f.seek(end);
            f.write(junk);
        }
        // Not a clean close any more: the log was written after its checkpoint.
        Files.delete(dir.resolve("checkpoint"));
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            assertThat(log.lastIndex()).isEqualTo(N);
            assertThat(log.endPosition()).isEqualTo(end);
            assertThat(TestLogs.appendOne(log, 9, N + 1, TestLogs.body(N + 1, SIZE))).isEqualTo(end);
        }
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            assertThat(log.lastIndex()).isEqualTo(N + 1);
        }
    }

    @Test
    void indexDamageInAnyReadRunIsRebuiltOnOpen() throws IOException {
        // 40,000 units: the check reads them in runs of 32,768; damage in the first and in the second run.
        int count = 40_000;
        for (int damaged : new int[] {100, 35_000}) {
            Path dir = tmp.resolve("idx" + damaged);
            long[] positions = write(dir, count, 16, true);
            flip(dir.resolve("index").resolve(String.format("%020d.idx", 0)), damaged * 32L + 3);
            try (CommitLog log = CommitLog.open(cfg(dir), null)) {
                for (int i = 1; i <= count; i++) {
                    assertThat(log.position(i)).isEqualTo(positions[i]);
                }
            }
        }
    }

    @Test
    void abruptCloseLeavesTheTailToRecovery() throws IOException {
        Path dir = tmp.resolve("abrupt");
        CommitLog log = CommitLog.open(cfg(dir), null);
        long[] positions = new long[N + 1];
        for (long i = 1; i <= N; i++) {
            positions[(int) i] = TestLogs.appendOne(log, 2, i, TestLogs.body(i, SIZE));
        }
        log.closeAbruptly();
        log.closeAbruptly();
        Checkpoint cp = Checkpoint.decode(Files.readAllBytes(dir.resolve("checkpoint")));
        assertThat(cp.clean()).as("no clean checkpoint").isFalse();
        assertThat(cp.position()).as("nothing forced since open (MANUAL mode)").isZero();
        try (CommitLog again = CommitLog.open(cfg(dir), null)) {
            assertThat(again.lastIndex()).as("written bytes survive a process kill").isEqualTo(N);
            assertThat(again.position(N)).isEqualTo(positions[N]);
            assertThat(again.endPosition()).isEqualTo(positions[N] + 48 + SIZE);
        }
    }
}
