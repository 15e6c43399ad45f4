package io.raftmq.broker.snapshot;

import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the snapshot image and file are exactly the bytes drawn in {@link SnapshotImage} and {@link SnapshotFile}
 * (golden hex written by hand from the layouts, CRCs computed independently), decode back, and every torn (cut at
 * any length) or bit-flipped file is rejected with a {@link CorruptSnapshotException} naming the file. Bit flips
 * are drawn from a printed seed.
 */
class SnapshotFileTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final Path FILE = Path.of("snap", "00000000000000000007.snap");

    private static String crc(String hex) {
        CRC32C c = new CRC32C();
        c.update(HEX.parseHex(hex));
        return String.format("%08x", (int) c.getValue());
    }

    private static SnapshotImage image() {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put("ab", new byte[] {1, 2, 3});
        parts.put("z", new byte[0]);
        return new SnapshotImage(0x1122334455L, parts);
    }

    private static String imageHex() {
        String body = "524d5349" + "01" + "000000" + "0000001122334455" + "00000002"
            + "02" + "6162" + "00000003" + crc("010203") + "010203"
            + "01" + "7a" + "00000000" + crc("");
        return body + crc(body);
    }

    @Test
    void imageGoldenBytes() {
        assertThat(HEX.formatHex(image().encode())).isEqualTo(imageHex());
        SnapshotImage back = SnapshotImage.decode(HEX.parseHex(imageHex()), "test");
        assertThat(back.nextPosition()).isEqualTo(0x1122334455L);
        assertThat(back.names()).containsExactly("ab", "z");
        assertThat(back.parts().get("ab")).containsExactly(1, 2, 3);
        assertThat(back.parts().get("z")).isEmpty();
    }

    @Test
    void fileGoldenBytes() {
        SnapshotFile f = new SnapshotFile(7, 3, 0x1122334455L, new byte[] {(byte) 0xee}, image().encode());
        String body = "524d5346" + "01" + "000000" + "0000000000000007" + "0000000000000003" + "0000001122334455"
            + "00000001" + "ee" + String.format("%08x", imageHex().length() / 2) + imageHex();
        assertThat(HEX.formatHex(f.encode())).isEqualTo(body + crc(body));
        SnapshotFile back = SnapshotFile.decode(f.encode(), FILE);
        assertThat(back.info()).isEqualTo(new SnapshotInfo(7, 3, 0x1122334455L));
        assertThat(back.membership()).containsExactly(0xee);
        assertThat(back.image()).isEqualTo(image().encode());
    }

    @Test
    void everyTornFileIsRejectedNamingTheFile() {
        byte[] whole = new SnapshotFile(7, 3, 0x1122334455L, new byte[] {1, 2}, image().encode()).encode();
        for (int n = 0; n < whole.length; n++) {
            byte[] torn = java.util.Arrays.copyOf(whole, n);
            assertThatThrownBy(() -> SnapshotFile.decode(torn, FILE)).isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining(FILE.toString());
        }
        byte[] longer = java.util.Arrays.copyOf(whole, whole.length + 1);
        assertThatThrownBy(() -> SnapshotFile.decode(longer, FILE)).isInstanceOf(CorruptSnapshotException.class)
            .hasMessageContaining(FILE.toString());
    }

    @Test
    void everyBitFlipIsRejectedNamingTheFile() {
        long seed = Seeds.seed("snapshot.flip.seed");
        SplittableRandom r = new SplittableRandom(seed);
        byte[] payload = new byte[200];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) r.nextInt(256);
        }
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put("metadata", payload);
        byte[] whole = new SnapshotFile(9, 2, 100, new byte[0], new SnapshotImage(100, parts).encode()).encode();
        for (int bit = 0; bit < whole.length * 8; bit++) {
            byte[] flipped = whole.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> SnapshotFile.decode(flipped, FILE)).as("bit " + bit + " (seed " + seed + ")")
                .isInstanceOf(CorruptSnapshotException.class).hasMessageContaining(FILE.toString());
        }
    }

    @Test
    void aDamagedImageAloneIsRejected() {
        byte[] img = image().encode();
        img[SnapshotImage.HEADER_LENGTH + 4] ^= 1; // inside part "ab"'s name
        assertThatThrownBy(() -> SnapshotImage.decode(img, "from leader 2"))
            .isInstanceOf(CorruptSnapshotException.class).hasMessageContaining("from leader 2");
        assertThatThrownBy(() -> new SnapshotImage(0, Map.of("bad name", new byte[0])))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("US-ASCII");
        assertThatThrownBy(() -> new SnapshotImage(0, Map.of("x".repeat(65), new byte[0])))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..64");
    }

    @Test
    void aPartDamagedUnderAValidImageCrcIsNamed() {
        byte[] img = image().encode();
        int payloadAt = SnapshotImage.HEADER_LENGTH + 1 + 2 + 8;
        img[payloadAt] ^= 1;
        CRC32C c = new CRC32C();
        c.update(img, 0, img.length - 4);
        java.nio.ByteBuffer.wrap(img).putInt(img.length - 4, (int) c.getValue());
        assertThatThrownBy(() -> SnapshotImage.decode(img, "test")).isInstanceOf(CorruptSnapshotException.class)
            .hasMessageContaining("part 'ab' CRC32C mismatch");
    }
}
