package io.raftmq.commitlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.commitlog.flush.FlushMode;
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
        List<Path> segsA = list(a.resolve("log"));
        assertThat(segsA).hasSizeGreaterThan(3);
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
