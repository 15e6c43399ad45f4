package io.raftmq.commitlog.indexfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.commitlog.io.StorageProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the index file's bytes match the documented layout, queries return newest-first candidates within the
 * time range, truncation undoes entries exactly, and damage is detected as documented. Method: a tiny file
 * (4 slots, 4 entries) compared byte-for-byte to a hand-written image; stores with tiny files to force
 * rolling; direct byte damage.
 */
class IndexFileTest {
    static final StorageProvider DISK = new FileSystemStorage(IoMode.CHANNEL);

    static final long T0 = 1_700_000_000_123L;

    @TempDir
    Path dir;

    @Test
    void goldenBytes() throws IOException {
        Path p = dir.resolve("f");
        try (IndexFile f = IndexFile.create(DISK, p, 4, 4)) {
            assertThat(f.put("TopicTest#KEY1", 0, T0)).isTrue();
            assertThat(f.put("TopicTest#7F0000010001B4AAC2F1234500000000", 0, T0)).isTrue();
            assertThat(f.put("TopicTest#KEY1", 200, T0 + 2377)).isTrue();
            assertThat(f.isFull()).isTrue();
            assertThat(f.put("TopicTest#KEY1", 300, T0 + 3000)).isFalse();
            f.flush();
        }
        String expected = "0000018bcfe5687b" + "0000018bcfe571c4" + "0000000000000000" + "00000000000000c8"
                + "00000002" + "00000004"
                + "00000003" + "00000002" + "00000000" + "00000000"
                + "0".repeat(40)
                + "62c3592c" + "0000000000000000" + "00000000" + "00000000"
                + "4bb2b5c1" + "0000000000000000" + "00000000" + "00000000"
                + "62c3592c" + "00000000000000c8" + "00000002" + "00000001";
        assertThat(Files.size(p)).isEqualTo(IndexFile.fileLength(4, 4)).isEqualTo(136);
        assertThat(HexFormat.of().formatHex(Files.readAllBytes(p))).isEqualTo(expected);
    }

    @Test
    void keyHashMapsMinValueToZero() {
        assertThat(IndexFile.keyHash("TopicTest#KEY1")).isEqualTo(0x62c3592c);
        String minHash = "polygenelubricants";
        assertThat(minHash.hashCode()).isEqualTo(Integer.MIN_VALUE);
        assertThat(IndexFile.keyHash(minHash)).isZero();
    }

    @Test
    void queryNewestFirstWithinTimeRangeAcrossRolledFiles() throws IOException {
        try (IndexFileStore s = IndexFileStore.open(DISK, dir, 3, 4)) {
            for (int i = 0; i < 10; i++) {
                s.indexMessage("T", i % 2 == 0 ? "even all" : "odd all", "U" + i, 100L * i, T0 + 1000L * i);
            }
            s.publish();
            assertThat(s.fileCount()).isGreaterThan(3);
            assertThat(s.query("T", "all", 64, 0, Long.MAX_VALUE)).containsExactly(900, 800, 700, 600, 500, 400,
                    300, 200, 100, 0);
            assertThat(s.query("T", "even", 3, 0, Long.MAX_VALUE)).containsExactly(800, 600, 400);
            assertThat(s.query("T", "all", 64, T0 + 2500, T0 + 5000)).containsExactly(500, 400, 300, 200);
            assertThat(s.query("T", "U7", 64, 0, Long.MAX_VALUE)).containsExactly(700);
            assertThat(s.query("X", "all", 64, 0, Long.MAX_VALUE)).isEmpty();
            s.flush();
        }
        try (IndexFileStore s = IndexFileStore.open(DISK, dir, 3, 4)) {
            assertThat(s.query("T", "odd", 64, 0, Long.MAX_VALUE)).containsExactly(900, 700, 500, 300, 100);
        }
    }

    @Test
    void truncationUndoesEntriesExactly() throws IOException {
        try (IndexFileStore s = IndexFileStore.open(DISK, dir, 3, 5)) {
            for (int i = 0; i < 10; i++) {
                s.indexMessage("T", "k" + (i % 3), null, 100L * i, T0 + i);
            }
            s.truncateFromPhysical(450);
            assertThat(s.query("T", "k0", 64, 0, Long.MAX_VALUE)).containsExactly(300, 0);
            assertThat(s.query("T", "k1", 64, 0, Long.MAX_VALUE)).containsExactly(400, 100);
            s.indexMessage("T", "k1", null, 460, T0 + 20);
            s.flush();
        }
        try (IndexFileStore s = IndexFileStore.open(DISK, dir, 3, 5)) {
            assertThat(s.query("T", "k1", 64, 0, Long.MAX_VALUE)).containsExactly(460, 400, 100);
            s.truncateFromPhysical(0);
            assertThat(s.fileCount()).isZero();
            assertThat(s.query("T", "k1", 64, 0, Long.MAX_VALUE)).isEmpty();
        }
    }

    @Test
    void damagedHeaderOrLengthIsCorrupt() throws IOException {
        Path p = dir.resolve("00000000000000000000");
        try (IndexFileStore s = IndexFileStore.open(DISK, dir, 4, 8)) {
            s.indexMessage("T", "a b c", "u", 0, T0);
            s.flush();
        }
        byte[] original = Files.readAllBytes(p);
        for (int offset : new int[] {IndexFile.END_PHY_OFFSET_OFFSET + 7, IndexFile.INDEX_COUNT_OFFSET + 3,
                IndexFile.HASH_SLOT_COUNT_OFFSET + 2}) {
            byte[] flipped = original.clone();
            flipped[offset] ^= 0x10;
            Files.write(p, flipped);
            assertThatThrownBy(() -> IndexFileStore.open(DISK, dir, 4, 8))
                    .isInstanceOf(IndexFileCorruptException.class);
        }
        Files.write(p, java.util.Arrays.copyOf(original, original.length - 1));
        assertThatThrownBy(() -> IndexFileStore.open(DISK, dir, 4, 8)).isInstanceOf(IndexFileCorruptException.class);
        Files.write(p, original);
        assertThatThrownBy(() -> IndexFileStore.open(DISK, dir, 5, 8)).isInstanceOf(IndexFileCorruptException.class);
    }

    @Test
    void damagedChainLinkStopsTheWalk() throws IOException {
        Path p = dir.resolve("00000000000000000000");
        try (IndexFileStore s = IndexFileStore.open(DISK, dir, 1, 8)) {
            s.indexMessage("T", "a b", null, 0, T0);
            s.indexMessage("T", "a", null, 20, T0);
            s.flush();
        }
        byte[] bytes = Files.readAllBytes(p);
        int entry3Prev = IndexFile.HEADER_SIZE + 4 + 3 * 20 + IndexFile.ENTRY_PREV_INDEX_OFFSET;
        bytes[entry3Prev + 3] = 5;
        Files.write(p, bytes);
        try (IndexFileStore s = IndexFileStore.open(DISK, dir, 1, 8)) {
            assertThat(s.query("T", "a", 64, 0, Long.MAX_VALUE)).containsExactly(20);
        }
    }
}
