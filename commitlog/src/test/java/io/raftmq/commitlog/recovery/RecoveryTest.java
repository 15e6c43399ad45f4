package io.raftmq.commitlog.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.TestLogs;
import io.raftmq.commitlog.error.CorruptLogException;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.IoMode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: each kind of on-disk damage has its documented outcome. Method: a 30-record log over two 64 KiB segments is
 * closed, copied, the copy is damaged (cut, bit flip, garbage, index damage), then reopened.
 * Outcomes: torn tail -> truncated to the last whole record; a bad record followed by valid ones ->
 * the log is cut back to the record before it, the {@link RecoveryPolicy} listener told first (file, offset, what
 * lies behind) while the files are still untouched; damage before the checkpoint -> caught by the crc check on read,
 * or at open with {@link RecoveryPolicy#verifyWholeLog()}; index damage -> index rebuilt from the log. "No
 * checkpoint" cases delete the checkpoint file so that recovery scans the whole log (as after a crash before the
 * first checkpoint).
 */
class RecoveryTest {
    private static final int N = 30;
    private static final int SIZE = 3000;

    @TempDir
    Path tmp;
    private Path original;
    private final long[] positions = new long[N + 1];

    @BeforeEach
    void writeOriginal() {
        original = tmp.resolve("original");
        try (CommitLog log = CommitLog.open(cfg(original), null)) {
            for (long i = 1; i <= N; i++) {
                positions[(int) i] = TestLogs.appendOne(log, 1 + i / 10, i, TestLogs.body(i, SIZE));
            }
        }
        assertThat(positions[N]).as("two segments").isGreaterThan(65536);
    }

    private static CommitLogConfig cfg(Path dir) {
        return TestLogs.small(dir, FlushMode.MANUAL).build();
    }

    private Path copy(String name, boolean keepCheckpoint) throws IOException {
        Path dst = tmp.resolve(name);
        try (Stream<Path> files = Files.walk(original)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path t = dst.resolve(original.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        if (!keepCheckpoint) {
            Files.delete(dst.resolve("checkpoint"));
        }
        return dst;
    }

    private Path segmentOf(Path dir, long position) {
        return dir.resolve("log").resolve(String.format("%020d", position - position % 65536));
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x10);
        }
    }

    private void assertIntact(CommitLog log, long last) {
        assertThat(log.lastIndex()).isEqualTo(last);
        for (long i = 1; i <= last; i++) {
            assertThat(log.position(i)).isEqualTo(positions[(int) i]);
            assertThat(log.term(i)).isEqualTo(1 + i / 10);
        }
        ByteBuffer dst = ByteBuffer.allocate(1 << 17);
        assertThat(log.entries(1, last + 1, dst)).isEqualTo((int) last);
        assertThat(TestLogs.decode(dst).get((int) last - 1).body()).isEqualTo(TestLogs.body(last, SIZE).array());
    }

    @Test
    void tornLastRecordIsTruncated() throws IOException {
        Path dir = copy("torn", false);
        Path seg = segmentOf(dir, positions[N]);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(positions[N] % 65536 + SIZE / 2);
        }
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            assertIntact(log, N - 1);
            assertThat(log.endPosition()).as("ends on a record boundary").isEqualTo(positions[N]);
            assertThat(TestLogs.appendOne(log, 9, N, TestLogs.body(N, SIZE))).isEqualTo(positions[N]);
        }
    }

    @Test
    void badCrcOfLastRecordWithZerosAfterIsTruncated() throws IOException {
        Path dir = copy("lastflip", false);
        flip(segmentOf(dir, positions[N]), positions[N] % 65536 + 100);
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            assertIntact(log, N - 1);
        }
    }

    @Test
    void garbageAfterTheLastRecordIsTruncated() throws IOException {
        Path dir = copy("garbage", true);
        byte[] junk = new byte[700];
        new Random(7).nextBytes(junk);
        long end = positions[N] + 48 + SIZE;
        try (RandomAccessFile f = new RandomAccessFile(segmentOf(dir, end).toFile(), "rw")) {
            f.seek(end % 65536);
            f.write(junk);
        }
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            assertIntact(log, N);
            assertThat(log.endPosition()).isEqualTo(end);
        }
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            assertIntact(log, N);
        }
    }

    @Test
    void midLogCorruptionCutsTheLogBackAfterTellingTheListener() throws IOException {
        Path dir = copy("midlog", false);
        Path seg = segmentOf(dir, positions[10]);
        flip(seg, positions[10] + 48 + 5);
        byte[] before = Files.readAllBytes(seg);
        List<RecoveryLoss> told = new ArrayList<>();
        RecoveryPolicy policy = new RecoveryPolicy(false, loss -> {
            assertThat(Files.readAllBytes(seg)).as("listener runs before anything changes").isEqualTo(before);
            told.add(loss);
        });
        try (CommitLog log = CommitLog.open(cfg(dir), null, new FileSystemStorage(IoMode.CHANNEL), policy)) {
            assertIntact(log, 9);
            assertThat(log.endPosition()).isEqualTo(positions[10]);
            assertThat(log.recoveryLoss()).isEqualTo(told.get(0));
            TestLogs.appendOne(log, 2, 10, TestLogs.body(10, SIZE));
            assertIntact(log, 10);
        }
        assertThat(told).hasSize(1);
        RecoveryLoss loss = told.get(0);
        assertThat(loss.file()).isEqualTo(seg.toString());
        assertThat(loss.offset()).isEqualTo(positions[10]);
        assertThat(loss.firstLostIndex()).isEqualTo(10);
        assertThat(loss.droppedRecords()).as("records 11..30 behind the damaged one").isEqualTo(N - 10);
        assertThat(loss.highestIndexSeen()).isEqualTo(N);
        assertThat(loss.droppedBytes()).isEqualTo(positions[N] + 48 + SIZE - positions[10]);
        assertThat(Files.exists(segmentOf(dir, positions[N]))).as("later segment deleted").isFalse();
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            assertIntact(log, 10);
            assertThat(log.recoveryLoss()).as("reported once: the cut log is clean").isNull();
        }
    }

    @Test
    void failingListenerAbortsTheOpenWithNothingChanged() throws IOException {
        Path dir = copy("midlogfail", false);
        Path seg = segmentOf(dir, positions[10]);
        flip(seg, positions[10] + 48 + 5);
        byte[] before = Files.readAllBytes(seg);
        RecoveryPolicy policy = new RecoveryPolicy(false, loss -> {
            throw new IOException("cannot record the loss");
        });
        assertThatThrownBy(() -> CommitLog.open(cfg(dir), null, new FileSystemStorage(IoMode.CHANNEL), policy))
            .hasMessageContaining("cannot record the loss");
        assertThat(Files.readAllBytes(seg)).as("nothing dropped").isEqualTo(before);
    }

    @Test
    void damagedFillerFollowedByNextSegmentIsCutBack() throws IOException {
        Path dir = copy("filler", false);
        long fillerAt = positions[21] + 48 + SIZE;
        assertThat(fillerAt).as("record 21 is the last of segment 0").isLessThan(65536);
        assertThat(positions[22]).isEqualTo(65536);
        flip(segmentOf(dir, fillerAt), fillerAt + 2);
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            assertIntact(log, 21);
            assertThat(log.recoveryLoss().offset()).isEqualTo(fillerAt);
            assertThat(log.recoveryLoss().firstLostIndex()).isEqualTo(22);
            assertThat(log.recoveryLoss().highestIndexSeen()).isEqualTo(N);
        }
    }

    @Test
    void verifyingTheWholeLogFindsDamageBeforeTheCheckpoint() throws IOException {
        Path dir = copy("wholelog", true);
        flip(segmentOf(dir, positions[10]), positions[10] + 48 + 5);
        RecoveryPolicy policy = new RecoveryPolicy(true, loss -> { });
        try (CommitLog log = CommitLog.open(cfg(dir), null, new FileSystemStorage(IoMode.CHANNEL), policy)) {
            assertIntact(log, 9);
            assertThat(log.recoveryLoss().firstLostIndex()).isEqualTo(10);
        }
        Path clean = copy("wholelogclean", true);
        try (CommitLog log = CommitLog.open(cfg(clean), null, new FileSystemStorage(IoMode.CHANNEL), policy)) {
            assertIntact(log, N);
            assertThat(log.recoveryLoss()).isNull();
        }
    }

    @Test
    void damageBeforeTheCheckpointIsCaughtOnRead() throws IOException {
        Path dir = copy("oncheck", true);
        flip(segmentOf(dir, positions[10]), positions[10] + 48 + 5);
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            assertThatThrownBy(() -> log.entries(10, 11, ByteBuffer.allocate(1 << 16)))
                .isInstanceOf(CorruptLogException.class).hasMessageContaining("00000000000000000000");
        }
    }

    @Test
    void verifyingTheWholeLogReportsARecordsLostBeforeTheCheckpoint() throws IOException {
        Path dir = copy("lostforced", true);
        long end = positions[N] + 48 + SIZE;
        try (RandomAccessFile f = new RandomAccessFile(segmentOf(dir, positions[25]).toFile(), "rw")) {
            f.seek(positions[25] % 65536);
            f.write(new byte[(int) (end - positions[25])]);
        }
        List<RecoveryLoss> told = new ArrayList<>();
        RecoveryPolicy policy = new RecoveryPolicy(true, told::add);
        try (CommitLog log = CommitLog.open(cfg(dir), null, new FileSystemStorage(IoMode.CHANNEL), policy)) {
            assertIntact(log, 24);
            assertThat(log.recoveryLoss()).isEqualTo(told.get(0));
        }
        RecoveryLoss loss = told.get(0);
        assertThat(loss.firstLostIndex()).isEqualTo(25);
        assertThat(loss.highestIndexSeen()).as("the checkpoint covered every record").isEqualTo(N);
        assertThat(loss.droppedBytes()).isEqualTo(end - positions[25]);
    }

    @Test
    void flippedIndexUnitIsRebuilt() throws IOException {
        Path dir = copy("idxflip", true);
        flip(dir.resolve("index").resolve("00000000000000000000.idx"), 5 * 32 + 3);
        try (CommitLog log = CommitLog.open(cfg(dir), null)) {
            assertIntact(log, N);
        }
    }

    @Test
    void truncatedOrMissingIndexIsRebuilt() throws IOException {
        Path cut = copy("idxcut", true);
        try (RandomAccessFile f = new RandomAccessFile(cut.resolve("index/00000000000000000000.idx").toFile(),
            "rw")) {
            f.setLength(100);
        }
        try (CommitLog log = CommitLog.open(cfg(cut), null)) {
            assertIntact(log, N);
        }
        Path gone = copy("idxgone", true);
        Files.delete(gone.resolve("index/00000000000000000000.idx"));
        try (CommitLog log = CommitLog.open(cfg(gone), null)) {
            assertIntact(log, N);
        }
    }
}
