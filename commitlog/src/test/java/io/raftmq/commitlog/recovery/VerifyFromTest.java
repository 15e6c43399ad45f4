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
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a verifying open that starts at a verification start ({@link RecoveryPolicy#verifyFrom}, the broker's newest
 * snapshot) checks every record from there on, exactly as a whole-log verification does, and nothing below it;
 * a start that is not a record of the log is never trusted (the whole log is verified). Method: a 30-record log over
 * two 64 KiB segments (record 21 ends segment 0 with a filler) is closed cleanly, copied, damaged by bit flips or a
 * zeroed tail, and reopened with a start at record 20, at the filler, or at a bad place.
 */
class VerifyFromTest {
    private static final int N = 30;
    private static final int SIZE = 3000;
    private static final int SEGMENT = 65536;

    @TempDir
    Path tmp;
    private Path original;
    private final long[] positions = new long[N + 1];
    private final int[] links = new int[N + 1];

    @BeforeEach
    void writeOriginal() {
        original = tmp.resolve("original");
        try (CommitLog log = CommitLog.open(cfg(original), null)) {
            for (long i = 1; i <= N; i++) {
                positions[(int) i] = TestLogs.appendOne(log, 1 + i / 10, i, TestLogs.body(i, SIZE));
            }
            for (int i = 1; i <= N; i++) {
                links[i] = log.prevCrcOf(i);
            }
        }
        assertThat(positions[22]).as("record 22 opens segment 1").isEqualTo(SEGMENT);
    }

    private static CommitLogConfig cfg(Path dir) {
        return TestLogs.small(dir, FlushMode.MANUAL).build();
    }

    private RecoveryPolicy.VerifyStart startAt(int index) {
        return new RecoveryPolicy.VerifyStart(positions[index], index, links[index]);
    }

    private static CommitLog open(Path dir, RecoveryPolicy policy) {
        return CommitLog.open(cfg(dir), null, new FileSystemStorage(IoMode.CHANNEL), policy);
    }

    private Path copy(String name) throws IOException {
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
        return dst;
    }

    /** Flips one bit inside the body of record {@code index}. */
    private void damageBody(Path dir, int index) throws IOException {
        long at = positions[index] + 48 + 5;
        Path seg = dir.resolve("log").resolve(String.format("%020d", at - at % SEGMENT));
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(at % SEGMENT);
            int b = f.read();
            f.seek(at % SEGMENT);
            f.write(b ^ 0x10);
        }
    }

    private static void assertReadFails(CommitLog log, long index) {
        assertThatThrownBy(() -> log.entries(index, index + 1, ByteBuffer.allocate(1 << 16)))
            .isInstanceOf(CorruptLogException.class);
    }

    @Test
    void damageAtOrAboveTheStartIsFoundAndDamageBelowItSurfacesOnRead() throws IOException {
        Path dir = copy("both");
        damageBody(dir, 10);
        damageBody(dir, 25);
        List<RecoveryLoss> told = new ArrayList<>();
        try (CommitLog log = open(dir, RecoveryPolicy.verifyFrom(startAt(20), told::add))) {
            assertThat(log.lastIndex()).as("cut back before the damage above the start").isEqualTo(24);
            assertThat(told).hasSize(1);
            assertThat(told.get(0).firstLostIndex()).isEqualTo(25);
            assertThat(log.firstIndex()).isEqualTo(1);
            assertReadFails(log, 10);
        }
        Path at = copy("atstart");
        damageBody(at, 20);
        try (CommitLog log = open(at, RecoveryPolicy.verifyFrom(startAt(20), loss -> { }))) {
            assertThat(log.lastIndex()).as("the record at the start is verified too").isEqualTo(19);
        }
    }

    @Test
    void aStartWithoutItsChainLinkChecksTheRecordAndItsIndex() throws IOException {
        RecoveryPolicy.VerifyStart noLink = new RecoveryPolicy.VerifyStart(positions[20], 20, 0, false);
        Path dir = copy("nolink");
        damageBody(dir, 10);
        damageBody(dir, 25);
        try (CommitLog log = open(dir, RecoveryPolicy.verifyFrom(noLink, loss -> { }))) {
            assertThat(log.lastIndex()).isEqualTo(24);
            assertReadFails(log, 10);
        }
        Path wrongIndex = copy("nolinkwrong");
        damageBody(wrongIndex, 10);
        RecoveryPolicy.VerifyStart wrong = new RecoveryPolicy.VerifyStart(positions[20], 21, 0, false);
        try (CommitLog log = open(wrongIndex, RecoveryPolicy.verifyFrom(wrong, loss -> { }))) {
            assertThat(log.lastIndex()).as("whole log verified").isEqualTo(9);
        }
    }

    @Test
    void aCleanLogOpensWholeFromAStartAtAFiller() throws IOException {
        long fillerAt = positions[21] + 48 + SIZE;
        RecoveryPolicy.VerifyStart filler = new RecoveryPolicy.VerifyStart(fillerAt, 22, links[22]);
        Path dir = copy("filler");
        try (CommitLog log = open(dir, RecoveryPolicy.verifyFrom(filler, loss -> { }))) {
            assertThat(log.lastIndex()).isEqualTo(N);
            assertThat(log.recoveryLoss()).isNull();
            assertThat(log.entries(1, N + 1, ByteBuffer.allocate(1 << 17))).isEqualTo(N);
        }
        Path damaged = copy("fillerdamaged");
        damageBody(damaged, 23);
        try (CommitLog log = open(damaged, RecoveryPolicy.verifyFrom(filler, loss -> { }))) {
            assertThat(log.lastIndex()).isEqualTo(22);
        }
    }

    @Test
    void aStartThatIsNotARecordOfTheLogVerifiesTheWholeLog() throws IOException {
        List<RecoveryPolicy.VerifyStart> wrong = List.of(
            new RecoveryPolicy.VerifyStart(positions[20] + 1, 20, links[20]),
            new RecoveryPolicy.VerifyStart(positions[20], 21, links[20]),
            new RecoveryPolicy.VerifyStart(positions[20], 20, links[20] ^ 1));
        for (int k = 0; k < wrong.size(); k++) {
            Path dir = copy("wrong" + k);
            damageBody(dir, 10);
            try (CommitLog log = open(dir, RecoveryPolicy.verifyFrom(wrong.get(k), loss -> { }))) {
                assertThat(log.lastIndex()).as("damage below the wrong start found: %s", wrong.get(k))
                    .isEqualTo(9);
            }
        }
    }

    @Test
    void aStartAtOrAboveTheCheckpointScansFromTheCheckpoint() throws IOException {
        Path dir = copy("above");
        damageBody(dir, 10);
        long end = positions[N] + 48 + SIZE;
        RecoveryPolicy.VerifyStart atEnd = new RecoveryPolicy.VerifyStart(end, N + 1, 0);
        try (CommitLog log = open(dir, RecoveryPolicy.verifyFrom(atEnd, loss -> { }))) {
            assertThat(log.lastIndex()).isEqualTo(N);
            assertReadFails(log, 10);
        }
    }

    @Test
    void recordsLostBelowTheCheckpointAreReportedWithAStart() throws IOException {
        Path dir = copy("lostforced");
        long end = positions[N] + 48 + SIZE;
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("log").resolve(String.format("%020d", SEGMENT))
            .toFile(), "rw")) {
            f.seek(positions[25] % SEGMENT);
            f.write(new byte[(int) (end - positions[25])]);
        }
        List<RecoveryLoss> told = new ArrayList<>();
        try (CommitLog log = open(dir, RecoveryPolicy.verifyFrom(startAt(20), told::add))) {
            assertThat(log.lastIndex()).isEqualTo(24);
        }
        assertThat(told).hasSize(1);
        assertThat(told.get(0).firstLostIndex()).isEqualTo(25);
        assertThat(told.get(0).highestIndexSeen()).isEqualTo(N);
    }

    @Test
    void aStartNeedsTheVerifyingPolicy() {
        assertThatThrownBy(() -> new RecoveryPolicy(false, loss -> { }, startAt(20)))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecoveryPolicy.VerifyStart(0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
