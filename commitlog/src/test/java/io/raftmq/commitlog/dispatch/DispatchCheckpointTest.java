package io.raftmq.commitlog.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.commitlog.io.StorageProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the checkpoint's bytes follow the drawn layout, round-trip, and any damage (bit flip, truncation,
 * trailing garbage) reads as "no checkpoint" so the dispatcher rebuilds. Method: a fixed checkpoint compared
 * to a hand-written image (CRC32C computed independently of the class), then every single-bit flip.
 */
class DispatchCheckpointTest {
    static final StorageProvider DISK = new FileSystemStorage(IoMode.CHANNEL);

    @TempDir
    Path dir;

    static final DispatchCheckpoint CP = new DispatchCheckpoint(0x1234, 7,
            List.of(new DispatchCheckpoint.QueueMax("T", 2, 5)));

    @Test
    void goldenBytesAndRoundTrip() throws IOException {
        byte[] bytes = CP.encode();
        String body = "524d5144" + "00000001" + "0000000000001234" + "0000000000000007" + "00000001"
                + "0001" + "54" + "00000002" + "0000000000000005";
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        byte[] bodyBytes = HexFormat.of().parseHex(body);
        crc.update(bodyBytes);
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(body + String.format("%08x", crc.getValue()));
        Path p = dir.resolve("cp");
        CP.write(DISK, p);
        assertThat(DispatchCheckpoint.read(DISK, p)).isEqualTo(CP);
        assertThat(Files.exists(dir.resolve("cp.tmp"))).isFalse();
        assertThat(DispatchCheckpoint.read(DISK, dir.resolve("missing"))).isNull();
    }

    @Test
    void everyBitFlipAndTruncationIsRejected() {
        byte[] bytes = CP.encode();
        for (int bit = 0; bit < bytes.length * 8; bit++) {
            byte[] flipped = bytes.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(DispatchCheckpoint.decode(flipped)).as("bit %d", bit).isNull();
        }
        for (int length = 0; length < bytes.length; length++) {
            assertThat(DispatchCheckpoint.decode(java.util.Arrays.copyOf(bytes, length))).isNull();
        }
        assertThat(DispatchCheckpoint.decode(java.util.Arrays.copyOf(bytes, bytes.length + 1))).isNull();
    }
}
