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
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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
    void stagedUnitsStayInvisibleUntilCommittedThenAreReadFromMemoryUntilWritten() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 2, 3)) {
            assertThat(q.stage(0, 7, 50, 0)).isTrue();
            assertThat(q.stage(1, 107, 51, -1)).isFalse();
            assertThat(q.maxOffset()).isZero();
            assertThat(q.read(0, new ConsumeQueue.Unit())).isFalse();
            assertThatThrownBy(() -> q.stage(3, 207, 1, 0)).isInstanceOf(IllegalStateException.class);
            q.stage(2, 207, 52, -2);
            q.stage(3, 307, 53, -3);
            assertThat(q.maxOffset()).isZero();
            assertThat(q.commitStaged()).isTrue();
            assertThat(q.commitStaged()).isFalse();
            assertThat(q.maxOffset()).isEqualTo(4);
            // published, read from memory: nothing is in the files yet
            assertThat(q.unwrittenUnits()).isEqualTo(4);
            assertThat(Files.exists(dir.resolve(QueueSegments.fileName(0)))).isFalse();
            assertUnits(q, 0, 4);
            for (int i = 4; i < 4 + ConsumeQueue.WRITE_UNITS; i++) {
                q.stage(i, 100L * i + 7, 50 + i, -i);
            }
            q.commitStaged(); // WRITE_UNITS or more unwritten: written, across segments, in pieces
            assertThat(q.unwrittenUnits()).isLessThan(ConsumeQueue.WRITE_UNITS);
            assertUnits(q, 0, 4 + ConsumeQueue.WRITE_UNITS);
            for (int i = 4 + ConsumeQueue.WRITE_UNITS; i < 4 + ConsumeQueue.WRITE_UNITS + 5; i++) {
                q.stage(i, 100L * i + 7, 50 + i, -i);
            }
            q.flush(); // commits what is staged, writes it all, forces
            assertThat(q.unwrittenUnits()).isZero();
            assertThat(q.maxOffset()).isEqualTo(4 + ConsumeQueue.WRITE_UNITS + 5);
        }
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 2, 3)) {
            long n = 4 + ConsumeQueue.WRITE_UNITS + 5;
            assertThat(q.maxOffset()).isEqualTo(n);
            assertUnits(q, 0, n);
        }
    }

    @Test
    void writePublishedWritesTheFewUnitsHeldInMemoryButNotTheStagedOnes() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 2, 3)) {
            q.stage(0, 7, 50, 0);
            q.stage(1, 107, 51, -1);
            q.commitStaged();
            q.stage(2, 207, 52, -2); // staged, not published: not written
            assertThat(q.writePublished()).isEqualTo(2);
            assertThat(q.unwrittenUnits()).isEqualTo(1);
            assertThat(Files.size(dir.resolve(QueueSegments.fileName(0)))).isPositive();
            assertThat(q.writePublished()).as("nothing more published").isZero();
            q.commitStaged();
            assertThat(q.writePublished()).isEqualTo(1);
        }
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 2, 3)) {
            assertThat(q.maxOffset()).as("closed without a flush: what was written is in the files").isEqualTo(3);
            assertUnits(q, 0, 3);
        }
    }

    @Test
    void aFullRingIsWrittenByTheStageThatNeedsItsSlot() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 1000)) {
            int n = ConsumeQueue.STAGED_UNITS_MAX * 3 + 7; // one batch: no commit in between
            for (int i = 0; i < n; i++) {
                q.stage(i, 100L * i + 7, 50 + i, -i);
                assertThat(q.unwrittenUnits()).isLessThanOrEqualTo(ConsumeQueue.STAGED_UNITS_MAX);
            }
            assertThat(q.maxOffset()).isZero();
            q.commitStaged();
            assertUnits(q, 0, n);
            ByteBuffer all = ByteBuffer.allocate(n * 20);
            assertThat(q.read(0, n, all)).isEqualTo(n); // one read spanning the files and the ring
            for (int i = 0; i < n; i++) {
                assertThat(all.getLong(i * 20)).isEqualTo(100L * i + 7);
            }
            assertThat(q.firstOffsetAtOrAfterTime(100L * (n - 2), p -> p)).isEqualTo(n - 2);
        }
    }

    @Test
    void truncationDropsUnitsInMemoryAndInTheFiles() throws IOException {
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            for (int i = 0; i < 10; i++) {
                q.append(i, 100L * i, 10, i);
            }
            q.flush();
            for (int i = 10; i < 20; i++) {
                q.stage(i, 100L * i, 10, i);
                q.commitStaged();
            }
            assertThat(q.unwrittenUnits()).isEqualTo(10);
            q.truncateTo(15); // only units in memory go
            assertThat(q.lastPhysicalOffset()).isEqualTo(1400);
            assertThat(q.read(15, new ConsumeQueue.Unit())).isFalse();
            q.stage(15, 1450, 11, -15); // reuses the slot of the dropped unit 15
            q.commitStaged();
            assertThat(q.truncateFromPhysical(700)).isEqualTo(7); // into the files: memory and written units go
            assertThat(q.unwrittenUnits()).isZero();
            assertThat(q.lastPhysicalOffset()).isEqualTo(600);
            q.stage(7, 650, 12, -7);
            q.commitStaged();
            ConsumeQueue.Unit u = new ConsumeQueue.Unit();
            assertThat(q.read(7, u)).isTrue();
            assertThat(u.physicalOffset()).isEqualTo(650);
            assertThat(q.read(8, u)).isFalse();
            q.flush();
        }
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 3)) {
            assertThat(q.maxOffset()).isEqualTo(8);
            assertThat(q.lastPhysicalOffset()).isEqualTo(650);
            assertThat(Files.exists(dir.resolve(QueueSegments.fileName(9)))).isFalse();
        }
    }

    @Test
    void concurrentReadersNeverSeeATornOrForeignUnit() throws Exception {
        long seed = new Random().nextLong();
        System.out.println("seed " + seed);
        Random rnd = new Random(seed);
        int total = 20_000;
        try (ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 1000)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            Thread reader = new Thread(() -> {
                ByteBuffer dst = ByteBuffer.allocate(40 * 20);
                Random r = new Random(seed + 1);
                try {
                    while (!done.get()) {
                        long max = q.maxOffset();
                        if (max == 0) {
                            continue;
                        }
                        long from = Math.max(0, max - 1 - r.nextInt(600));
                        dst.clear();
                        int n = q.read(from, 40, dst);
                        for (int k = 0; k < n; k++) {
                            long i = from + k;
                            assertThat(dst.getLong(k * 20)).isEqualTo(100L * i + 7);
                            assertThat(dst.getInt(k * 20 + 8)).isEqualTo(50 + (int) (i % 1000));
                            assertThat(dst.getLong(k * 20 + 12)).isEqualTo(-i);
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "cq-reader");
            reader.start();
            for (int i = 0; i < total; ) {
                int batch = 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 300);
                for (int k = 0; k < batch && i < total; k++, i++) {
                    q.stage(i, 100L * i + 7, 50 + i % 1000, -i);
                }
                q.commitStaged();
            }
            done.set(true);
            reader.join(30_000);
            assertThat(reader.isAlive()).isFalse();
            assertThat(failure.get()).as("seed " + seed).isNull();
            assertUnits(q, 0, total);
        }
    }

    /** Units [from, to) read back one by one as 100 * i + 7, size 50 + i % 1000, tags -i. */
    private static void assertUnits(ConsumeQueue q, long from, long to) throws IOException {
        ConsumeQueue.Unit u = new ConsumeQueue.Unit();
        for (long i = from; i < to; i++) {
            assertThat(q.read(i, u)).isTrue();
            assertThat(u.physicalOffset()).isEqualTo(100L * i + 7);
            assertThat(u.size()).isEqualTo(50 + (int) (i % 1000));
            assertThat(u.tagsCode()).isEqualTo(-i);
        }
        assertThat(q.read(to, u)).isFalse();
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
