package io.raftmq.raft.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the hard state file has exactly the documented layout, survives reopen, and any damage (torn write,
 * flipped bit, unknown version) is reported as a typed error naming the file instead of resetting the vote.
 * Method: save through the store, compare the raw bytes with a golden dump, then damage copies of the file.
 */
class FileHardStateStoreTest {
    /** (term 7, votedFor 2, commit 300) encoded by hand from the layout drawn in the class javadoc. */
    private static final String GOLDEN = "52464853" + "01000000" + "0000000000000007" + "0000000000000002"
        + "000000000000012c";

    @TempDir
    Path dir;

    @Test
    void goldenBytes() throws Exception {
        FileHardStateStore store = new FileHardStateStore(dir);
        store.save(new HardState(7, 2, 300));
        byte[] bytes = Files.readAllBytes(store.file());
        assertThat(bytes).hasSize(FileHardStateStore.LENGTH);
        assertThat(HexFormat.of().formatHex(bytes, 0, 32)).isEqualTo(GOLDEN);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, 32);
        int stored = java.nio.ByteBuffer.wrap(bytes).getInt(32);
        assertThat(stored).isEqualTo((int) crc.getValue());
    }

    @Test
    void missingFileIsEmptyAndSavesSurviveReopen() {
        FileHardStateStore store = new FileHardStateStore(dir.resolve("node"));
        assertThat(store.load()).isEqualTo(HardState.EMPTY);
        store.save(new HardState(3, 1, 10));
        store.save(new HardState(4, 0, 12));
        assertThat(new FileHardStateStore(dir.resolve("node")).load()).isEqualTo(new HardState(4, 0, 12));
        assertThat(dir.resolve("node").resolve(FileHardStateStore.FILE_NAME + ".tmp")).doesNotExist();
    }

    @Test
    void leftoverTempFileFromACrashIsIgnored() throws Exception {
        FileHardStateStore store = new FileHardStateStore(dir);
        store.save(new HardState(5, 3, 9));
        Files.write(dir.resolve(FileHardStateStore.FILE_NAME + ".tmp"), new byte[] {1, 2, 3});
        assertThat(new FileHardStateStore(dir).load()).isEqualTo(new HardState(5, 3, 9));
    }

    @Test
    void tornFileIsATypedErrorNamingTheFile() throws Exception {
        FileHardStateStore store = new FileHardStateStore(dir);
        store.save(new HardState(5, 3, 9));
        byte[] bytes = Files.readAllBytes(store.file());
        Files.write(store.file(), Arrays.copyOf(bytes, 20));
        assertThatThrownBy(store::load).isInstanceOf(HardStateStoreException.class)
            .hasMessageContaining(store.file().toString()).hasMessageContaining("length 20");
    }

    @Test
    void everySingleBitFlipIsDetected() throws Exception {
        FileHardStateStore store = new FileHardStateStore(dir);
        store.save(new HardState(9, 2, 77));
        byte[] good = Files.readAllBytes(store.file());
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            Files.write(store.file(), bad);
            assertThatThrownBy(store::load).as("bit %d", bit).isInstanceOf(HardStateStoreException.class)
                .hasMessageContaining(store.file().toString());
        }
        Files.write(store.file(), good);
        assertThat(store.load()).isEqualTo(new HardState(9, 2, 77));
    }
}
