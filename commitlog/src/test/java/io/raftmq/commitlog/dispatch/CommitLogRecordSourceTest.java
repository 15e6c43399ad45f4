package io.raftmq.commitlog.dispatch;

import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.TestLogs;
import io.raftmq.commitlog.error.CorruptLogException;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link CommitLogRecordSource} reads only up to the limit it is given: visiting records one at a time (as the broker
 * dispatches each committed entry) sees exactly what one pass sees, across segment ends, and never reads (nor
 * crc-checks) the log beyond the limit, so one record's dispatch costs one record's read however long the
 * undispatched tail is. Record sizes are seeded ({@code -Dsource.seed=N}, printed).
 */
class CommitLogRecordSourceTest {
    private static final int RECORDS = 200;
    /** A chunk larger than a segment: before, every read copied and checked up to this much. */
    private static final int CHUNK = 128 * 1024;

    @TempDir
    Path dir;

    @Test
    void recordByRecordVisitsWhatOnePassVisitsAcrossSegments() {
        long seed = Seeds.seed("source.seed", 11);
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            appendRecords(log, new SplittableRandom(seed));
            CommitLogRecordSource onePass = new CommitLogRecordSource(log, CHUNK);
            List<Long> all = new ArrayList<>();
            long end = onePass.forEach(log.startPosition(), log.endPosition(), visitor(all));
            assertThat(end).isEqualTo(log.endPosition());
            assertThat(all).hasSize(RECORDS);

            CommitLogRecordSource stepwise = new CommitLogRecordSource(log, CHUNK);
            List<Long> steps = new ArrayList<>();
            long at = log.startPosition();
            for (long i = 1; i <= RECORDS; i++) {
                long limit = i == RECORDS ? log.endPosition() : log.position(i + 1);
                at = stepwise.forEach(at, limit, visitor(steps));
                assertThat(steps).as("records visited up to index %d", i).hasSize((int) i);
            }
            assertThat(steps).isEqualTo(all);
            assertThat(at).isEqualTo(log.endPosition());
        }
    }

    @Test
    void aLimitInsideARecordStopsBeforeIt() {
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            appendRecords(log, new SplittableRandom(3));
            CommitLogRecordSource source = new CommitLogRecordSource(log, CHUNK);
            List<Long> seen = new ArrayList<>();
            long inside = log.position(5) + RecordHeader.HEADER_LENGTH + 1;
            assertThat(source.forEach(log.startPosition(), inside, visitor(seen))).isEqualTo(log.position(5));
            assertThat(seen).containsExactly(1L, 2L, 3L, 4L);
            assertThat(source.forEach(log.position(5), inside, visitor(seen))).isEqualTo(log.position(5));
            assertThat(seen).hasSize(4);
        }
    }

    @Test
    void theLogBeyondTheLimitIsNotRead() throws IOException {
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.MANUAL).build(), null)) {
            appendRecords(log, new SplittableRandom(5));
            log.flush();
            assertThat(log.position(9)).as("records 1..8 share the first segment").isLessThan(64 * 1024);
            flipByte(log.position(8) + RecordHeader.HEADER_LENGTH); // record 8's body, far beyond record 3
            CommitLogRecordSource source = new CommitLogRecordSource(log, CHUNK);
            List<Long> seen = new ArrayList<>();
            assertThat(source.forEach(log.startPosition(), log.position(4), visitor(seen)))
                .isEqualTo(log.position(4));
            assertThat(seen).containsExactly(1L, 2L, 3L);
            // the check is real: a read that reaches the damaged record fails
            assertThatThrownBy(() -> source.forEach(log.position(4), log.position(9), visitor(seen)))
                .isInstanceOf(CorruptLogException.class);
        }
    }

    private static void appendRecords(CommitLog log, SplittableRandom random) {
        for (long i = 1; i <= RECORDS; i++) {
            TestLogs.appendOne(log, 1, i, TestLogs.body(i, 200 + random.nextInt(2000)));
        }
    }

    private static RecordSource.Visitor visitor(List<Long> into) {
        return (type, index, buffer, bodyOffset, bodyLength, bodyPosition, endPosition) -> into.add(index);
    }

    /** Flips one byte of the first segment file at log position {@code position} (below 64 KiB). */
    private void flipByte(long position) throws IOException {
        Path segment;
        try (Stream<Path> files = Files.walk(dir)) {
            segment = files.filter(p -> p.getFileName().toString().equals("00000000000000000000")
                && p.getParent().getFileName().toString().equals("log")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0x5A);
        }
    }
}
