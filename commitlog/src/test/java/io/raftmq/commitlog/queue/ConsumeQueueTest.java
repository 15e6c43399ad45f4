package io.raftmq.commitlog.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.commitlog.io.StorageProvider;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the ConsumeQueue's bytes, segmenting, reads, truncation, retention and recovery behave as documented.
 * Method: small segments (3 units) in a temp dir; golden bytes of one unit; damage files directly (torn tail,
 * garbage tail, short sealed segment, misplaced file) and check the documented recovery outcome.
 */
class ConsumeQueueTest {
    static final StorageProvider DISK = new FileSystemStorage(IoMode.CHANNEL);

    @TempDir
    Path dir;

    @Test
    void unitGoldenBytesAndFileNames() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "TopicTest", 0, 3)) {
            q.append(0, 0x0102030405060708L, 200, 2598919L);
            q.flush();
        }
        byte[] bytes = Files.readAllBytes(dir.resolve("00000000000000000000"));
        // segment files have their full size (3 units) from creation; unwritten units are zeros
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("0102030405060708" + "000000c8" + "000000000027a807"
                + "00".repeat(40));
        assertThat(QueueSegments.fileName(3)).isEqualTo("00000000000000000060");
    }

    @Test
    void appendsAcrossSegmentsAndReads() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 1, 3)) {
            for (int i = 0; i < 8; i++) {
                q.append(i, 100L * i + 7, 50 + i, -i);
            }
            assertThat(q.maxOffset()).isEqualTo(8);
            assertThat(Files.list(dir).count()).isEqualTo(3);
            ByteBuffer dst = ByteBuffer.allocate(20 * 10);
            assertThat(q.read(2, 10, dst)).isEqualTo(6);
            assertThat(dst.position()).isEqualTo(120);
            for (int k = 0; k < 6; k++) {
                assertThat(dst.getLong(k * 20)).isEqualTo(100L * (k + 2) + 7);
                assertThat(dst.getInt(k * 20 + 8)).isEqualTo(52 + k);
                assertThat(dst.getLong(k * 20 + 12)).isEqualTo(-(k + 2));
            }
            ConsumeQueue.Unit u = new ConsumeQueue.Unit();
            assertThat(q.read(7, u)).isTrue();
            assertThat(u.physicalOffset()).isEqualTo(707);
            assertThat(q.read(8, u)).isFalse();
            assertThatThrownBy(() -> q.append(9, 10_000, 1, 0)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> q.append(8, 707, 1, 0)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void stagedUnitsStayInvisibleUntilOneCommitWritesThemAcrossSegments() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 2, 3)) {
            assertThat(q.stage(0, 7, 50, 0)).isTrue();
            assertThat(q.stage(1, 107, 51, -1)).isFalse();
            assertThat(q.maxOffset()).isZero();
            assertThat(q.read(0, new ConsumeQueue.Unit())).isFalse();
            assertThatThrownBy(() -> q.stage(3, 207, 1, 0)).isInstanceOf(IllegalStateException.class);
            // the third stage fills the first segment's room; the fourth commits the three, then stages itself
            q.stage(2, 207, 52, -2);
            q.stage(3, 307, 53, -3);
            assertThat(q.maxOffset()).isEqualTo(3);
            assertThat(q.commitStaged()).isTrue();
            assertThat(q.commitStaged()).isFalse();
            assertThat(q.maxOffset()).isEqualTo(4);
            for (int i = 4; i < 4 + ConsumeQueue.STAGED_UNITS_MAX + 5; i++) {
                q.stage(i, 100L * i + 7, 50 + i, -i);
            }
            q.flush(); // commits what is staged before forcing
            assertThat(q.maxOffset()).isEqualTo(4 + ConsumeQueue.STAGED_UNITS_MAX + 5);
        }
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 2, 3)) {
            long n = 4 + ConsumeQueue.STAGED_UNITS_MAX + 5;
            assertThat(q.maxOffset()).isEqualTo(n);
            ConsumeQueue.Unit u = new ConsumeQueue.Unit();
            for (long i = 0; i < n; i++) {
                assertThat(q.read(i, u)).isTrue();
                assertThat(u.physicalOffset()).isEqualTo(100L * i + 7);
                assertThat(u.size()).isEqualTo(50 + (int) i);
                assertThat(u.tagsCode()).isEqualTo(-i);
            }
        }
    }

    @Test
    void truncateFromPhysicalAndReopen() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            for (int i = 0; i < 7; i++) {
                q.append(i, 100L * i, 10, 0);
            }
            assertThat(q.truncateFromPhysical(301)).isEqualTo(4);
            assertThat(q.lastPhysicalOffset()).isEqualTo(300);
            assertThat(q.truncateFromPhysical(300)).isEqualTo(3);
            q.append(3, 350, 10, 0);
        }
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            assertThat(q.maxOffset()).isEqualTo(4);
            assertThat(q.lastPhysicalOffset()).isEqualTo(350);
            assertThat(Files.exists(dir.resolve(QueueSegments.fileName(6)))).isFalse();
        }
    }

    @Test
    void retentionKeepsLastSegmentAndMaxOffset() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            for (int i = 0; i < 7; i++) {
                q.append(i, 100L * i, 10, 0);
            }
            assertThat(q.deleteBelowPhysical(450)).isEqualTo(1);
            assertThat(q.minOffset()).isEqualTo(5);
            assertThat(q.read(4, new ConsumeQueue.Unit())).isFalse();
            assertThat(q.deleteBelowPhysical(10_000)).isEqualTo(1);
            assertThat(q.minOffset()).isEqualTo(7);
            assertThat(q.maxOffset()).isEqualTo(7);
            q.append(7, 10_000, 10, 0);
        }
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            assertThat(q.minOffset()).isEqualTo(6);
            assertThat(q.maxOffset()).isEqualTo(8);
        }
    }

    @Test
    void tornTrailingUnitIsDropped() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            for (int i = 0; i < 5; i++) {
                q.append(i, 100L * i, 10, 0);
            }
        }
        Path last = dir.resolve(QueueSegments.fileName(3));
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.setLength(20 + 11);
        }
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            assertThat(q.maxOffset()).isEqualTo(4);
            assertThat(Files.readAllBytes(last)).hasSize(60).endsWith(new byte[40]); // the torn bytes are zeroed
            q.append(4, 450, 10, 0);
        }
    }

    @Test
    void zeroedTailUnitsAreDropped() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            for (int i = 0; i < 5; i++) {
                q.append(i, 100L * i + 1, 10, 0);
            }
        }
        Path last = dir.resolve(QueueSegments.fileName(3));
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.seek(20);
            f.write(new byte[20]);
        }
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            assertThat(q.maxOffset()).isEqualTo(4);
        }
    }

    @Test
    void nonZeroUnitsAfterAGapInTheLastSegmentAreZeroed() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 2000)) {
            for (int i = 0; i < 5; i++) {
                q.append(i, 100L * i + 1, 10, 0);
            }
        }
        Path segment = dir.resolve(QueueSegments.fileName(0));
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(101 * ConsumeQueue.UNIT_SIZE); // a page written before the one holding units 5.. was lost
            f.writeLong(20_001);
            f.writeInt(10);
            f.writeLong(0);
        }
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 2000)) {
            assertThat(q.maxOffset()).isEqualTo(5);
            assertThat(Files.readAllBytes(segment)).hasSize(40_000).endsWith(new byte[40_000 - 5 * 20]);
            for (int i = 5; i < 101; i++) {
                q.append(i, 100L * i + 1, 10, 0);
            }
        }
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 2000)) {
            assertThat(q.maxOffset()).isEqualTo(101); // unit 101 (physical 20001) was zeroed: it does not join up
        }
    }

    @Test
    void damagedSealedSegmentIsCorrupt() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            for (int i = 0; i < 5; i++) {
                q.append(i, 100L * i + 1, 10, 0);
            }
        }
        Path first = dir.resolve(QueueSegments.fileName(0));
        byte[] original = Files.readAllBytes(first);
        byte[] flipped = original.clone();
        flipped[20] ^= 0x40;
        Files.write(first, flipped);
        assertThatThrownBy(() -> ConsumeQueue.open(DISK, dir, "T", 0, 3))
                .isInstanceOf(ConsumeQueueCorruptException.class);
        Files.write(first, java.util.Arrays.copyOf(original, 40));
        assertThatThrownBy(() -> ConsumeQueue.open(DISK, dir, "T", 0, 3))
                .isInstanceOf(ConsumeQueueCorruptException.class)
                .hasMessageContaining("not full");
        Files.write(first, original);
        Files.move(first, dir.resolve(QueueSegments.fileName(1)));
        assertThatThrownBy(() -> ConsumeQueue.open(DISK, dir, "T", 0, 3))
                .isInstanceOf(ConsumeQueueCorruptException.class)
                .hasMessageContaining("misplaced");
    }

    @Test
    void queueCanStartAtANonZeroOffset() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 4)) {
            q.append(6, 1000, 10, 0);
            q.append(7, 1100, 10, 0);
            assertThat(q.minOffset()).isEqualTo(6);
            assertThat(q.read(5, new ConsumeQueue.Unit())).isFalse();
            assertThatThrownBy(() -> q.append(9, 1200, 10, 0)).isInstanceOf(IllegalStateException.class);
        }
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 4)) {
            assertThat(q.minOffset()).isEqualTo(6);
            assertThat(q.maxOffset()).isEqualTo(8);
            assertThat(q.lastPhysicalOffset()).isEqualTo(1100);
            q.append(8, 1200, 10, 0);
            assertThat(q.read(8, new ConsumeQueue.Unit())).isTrue();
        }
    }

    @Test
    void firstOffsetAtOrAfterTime() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            for (int i = 0; i < 10; i++) {
                q.append(i, 100L * i, 10, 0);
            }
            // store time of the message at physical p is 1000 + p / 100 * 10 (offsets 0..9 -> 1000..1090)
            assertThat(q.firstOffsetAtOrAfterTime(0, p -> 1000 + p / 10)).isZero();
            assertThat(q.firstOffsetAtOrAfterTime(1035, p -> 1000 + p / 10)).isEqualTo(4);
            assertThat(q.firstOffsetAtOrAfterTime(1040, p -> 1000 + p / 10)).isEqualTo(4);
            assertThat(q.firstOffsetAtOrAfterTime(5000, p -> 1000 + p / 10)).isEqualTo(10);
        }
    }

    @Test
    void storeOpensExistingQueuesAndRejectsBadTopics() throws IOException {
        try (ConsumeQueueStore s = ConsumeQueueStore.open(DISK, dir, 4)) {
            s.getOrCreate("A", 3).append(0, 10, 1, 0);
            s.getOrCreate("%RETRY%g|x", 0).append(0, 20, 1, 0);
            assertThatThrownBy(() -> s.getOrCreate("../x", 0)).isInstanceOf(IllegalArgumentException.class);
        }
        try (ConsumeQueueStore s = ConsumeQueueStore.open(DISK, dir, 4)) {
            assertThat(s.maxOffset("A", 3)).isEqualTo(1);
            assertThat(s.maxOffset("A", 2)).isZero();
            assertThat(s.maxOffset("%RETRY%g|x", 0)).isEqualTo(1);
            assertThat(s.queues()).extracting(ConsumeQueue::topic).containsExactly("%RETRY%g|x", "A");
            s.truncateFromPhysical(15);
            assertThat(s.maxOffset("A", 3)).isEqualTo(1);
            assertThat(s.maxOffset("%RETRY%g|x", 0)).isZero();
        }
    }
}
