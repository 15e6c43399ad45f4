package io.raftmq.commitlog.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.commitlog.recovery.Checkpoint;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Goal: the index unit and checkpoint layouts are exactly the drawn ones. Expected bytes are written by hand here
 * (crc values from an independent bitwise CRC32C implementation).
 */
class IndexUnitGoldenTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void indexUnitMatchesGoldenBytes() {
        ByteBuffer buf = ByteBuffer.allocate(32);
        IndexUnit.write(buf, 0, 0x1000, 3, 42, new CRC32C());
        assertThat(HEX.formatHex(buf.array()))
            .isEqualTo("0000000000001000" + "0000000000000003" + "000000000000002a" + "209b6491" + "49445831");
        assertThat(IndexUnit.isValid(buf, 0, 42, new CRC32C())).isTrue();
        assertThat(IndexUnit.isValid(buf, 0, 43, new CRC32C())).as("unit of another index").isFalse();
        buf.put(9, (byte) 1);
        assertThat(IndexUnit.isValid(buf, 0, 42, new CRC32C())).as("flipped term").isFalse();
        assertThat(IndexUnit.isValid(ByteBuffer.allocate(32), 0, 0, new CRC32C())).as("never written").isFalse();
    }

    @Test
    void checkpointMatchesGoldenBytes() {
        Checkpoint cp = new Checkpoint(0x10000, 0, 0x1234, 7, 0xCAFEBABE, true, 1);
        String expected = "524d4350" + "00000001" + "0000000000010000" + "0000000000000000" + "0000000000001234"
            + "0000000000000007" + "cafebabe" + "00000001" + "0000000000000001" + "2c9fbcd1" + "00000000";
        assertThat(HEX.formatHex(cp.encode())).isEqualTo(expected);
        assertThat(Checkpoint.decode(HEX.parseHex(expected))).isEqualTo(cp);
        byte[] bad = HEX.parseHex(expected);
        bad[30] ^= 1;
        assertThat(Checkpoint.decode(bad)).as("damaged checkpoint is ignored").isNull();
    }

    @Test
    void truncatingCheckpointMatchesGoldenBytes() {
        Checkpoint cp = new Checkpoint(0x10000, 0, 0x1234, 7, 0xCAFEBABE, false, 1, true);
        String expected = "524d4350" + "00000001" + "0000000000010000" + "0000000000000000" + "0000000000001234"
            + "0000000000000007" + "cafebabe" + "00000002" + "0000000000000001" + "3530b0f8" + "00000000";
        assertThat(HEX.formatHex(cp.encode())).as("flags bit 1").isEqualTo(expected);
        assertThat(Checkpoint.decode(HEX.parseHex(expected))).isEqualTo(cp);
        assertThat(Checkpoint.decode(HEX.parseHex(expected)).truncating()).isTrue();
    }
}
