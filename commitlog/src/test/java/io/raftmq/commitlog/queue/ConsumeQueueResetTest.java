package io.raftmq.commitlog.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.commitlog.io.StorageProvider;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: {@link ConsumeQueue#resetTo} restarts a queue empty at any offset (the state after a snapshot install), the
 * next unit goes there, and a reopen finds the queue from its first unit on; {@link ConsumeQueueStore#resetAll}
 * resets every queue (named ones at their offset, others at 0). Method: 3-unit segments in a temp dir.
 */
class ConsumeQueueResetTest {
    static final StorageProvider DISK = new FileSystemStorage(IoMode.CHANNEL);

    @TempDir
    Path dir;

    @Test
    void resetRestartsEmptyAtTheOffsetAndTheNextUnitLandsThere() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            for (int i = 0; i < 5; i++) {
                q.append(i, 1000L + i, 10, 0);
            }
            q.resetTo(7);
            assertThat(q.minOffset()).isEqualTo(7);
            assertThat(q.maxOffset()).isEqualTo(7);
            assertThat(q.read(4, new ConsumeQueue.Unit())).isFalse();
            assertThat(fileNames(dir)).containsExactly(QueueSegments.fileName(6));
            q.append(7, 50, 10, 0); // physical offsets may restart lower: the old units are gone
            q.append(8, 60, 10, 0);
            q.append(9, 70, 10, 0);
            q.flush();
        }
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            assertThat(q.minOffset()).isEqualTo(7);
            assertThat(q.maxOffset()).isEqualTo(10);
            ByteBuffer dst = ByteBuffer.allocate(60);
            assertThat(q.read(7, 3, dst)).isEqualTo(3);
            assertThat(dst.getLong(0)).isEqualTo(50);
            assertThat(dst.getLong(40)).isEqualTo(70);
        }
    }

    @Test
    void resetToZeroAndToASegmentBoundary() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            q.append(0, 5, 10, 0);
            q.resetTo(0);
            assertThat(q.maxOffset()).isZero();
            q.append(0, 1, 10, 0);
            q.resetTo(6);
            q.append(6, 2, 10, 0);
            assertThat(q.minOffset()).isEqualTo(6);
            assertThat(q.maxOffset()).isEqualTo(7);
            assertThatThrownBy(() -> q.resetTo(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void storeResetsNamedQueuesAtTheirOffsetsAndEmptiesTheOthers() throws IOException {
        try (ConsumeQueueStore s = ConsumeQueueStore.open(DISK, dir, 3)) {
            s.getOrCreate("A", 0).append(0, 1, 10, 0);
            s.getOrCreate("B", 2).append(0, 2, 10, 0);
            s.resetAll(Map.of("A/0", 12L, "C/1", 4L));
            assertThat(s.maxOffset("A", 0)).isEqualTo(12);
            assertThat(s.queue("A", 0).minOffset()).isEqualTo(12);
            assertThat(s.maxOffset("B", 2)).isZero();
            assertThat(s.maxOffset("C", 1)).isEqualTo(4);
            assertThat(s.queue("C", 1).minOffset()).isEqualTo(4);
        }
    }

    private static java.util.List<String> fileNames(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
