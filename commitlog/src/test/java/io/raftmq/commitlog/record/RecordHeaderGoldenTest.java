package io.raftmq.commitlog.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Goal: the record and filler byte layouts are exactly the drawn ones. Method: the expected bytes are written out
 * by hand in this test (crc values computed with an independent bitwise CRC32C, polynomial 0x82F63B78), then
 * compared with what {@link RecordHeader} writes, and {@link RecordHeader#check} is run on them and on damaged
 * copies.
 */
class RecordHeaderGoldenTest {
    private static final HexFormat HEX = HexFormat.of();

    // type 7, prevCrc 0x11223344, body "abc", term 2, index 5, timestamp 0x0102030405060708.
    private static final String DATA_RECORD = "524d514c" + "01" + "07" + "0000" + "00000033" + "01dab2ba"
        + "11223344" + "00000003" + "0000000000000002" + "0000000000000005" + "0102030405060708" + "616263";

    // filler of 100 bytes, chain 0xAABBCCDD, next index 9; only the 48 header bytes are defined.
    private static final String FILLER = "524d514c" + "01" + "ff" + "0000" + "00000064" + "13a02c20" + "aabbccdd"
        + "00000000" + "0000000000000000" + "0000000000000009" + "0000000000000000";

    @Test
    void dataRecordMatchesGoldenBytes() {
        ByteBuffer buf = ByteBuffer.allocate(51);
        buf.put(48, new byte[] {'a', 'b', 'c'});
        int crc = RecordHeader.writeData(buf, 0, new CRC32C(), (byte) 7, 0x11223344, 3, 2, 5, 0x0102030405060708L);
        assertThat(HEX.formatHex(buf.array())).isEqualTo(DATA_RECORD);
        assertThat(crc).isEqualTo(0x01dab2ba);
        assertThat(RecordHeader.HEADER_LENGTH).isEqualTo(48);
    }

    @Test
    void fillerMatchesGoldenBytes() {
        ByteBuffer buf = ByteBuffer.allocate(100);
        RecordHeader.writeFiller(buf, 0, new CRC32C(), 100, 0xAABBCCDD, 9);
        assertThat(HEX.formatHex(buf.array(), 0, 48)).isEqualTo(FILLER);
        assertThat(RecordHeader.check(buf, 0, 100, 1000, 100, new CRC32C())).isEqualTo(RecordHeader.VALID_FILLER);
        assertThat(RecordHeader.check(buf, 0, 100, 1000, 101, new CRC32C()))
            .as("a filler must run exactly to the segment end").isEqualTo(RecordHeader.INVALID);
    }

    @Test
    void checkAcceptsGoldenAndRejectsEveryFlippedBit() {
        byte[] golden = HEX.parseHex(DATA_RECORD);
        CRC32C crc = new CRC32C();
        assertThat(RecordHeader.check(ByteBuffer.wrap(golden), 0, 51, 1000, 1000, crc))
            .isEqualTo(RecordHeader.VALID_DATA);
        for (int bit = 0; bit < golden.length * 8; bit++) {
            byte[] bad = golden.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            int st = RecordHeader.check(ByteBuffer.wrap(bad), 0, 51, 1000, 1000, crc);
            assertThat(st).as("bit %d flipped", bit).isIn(RecordHeader.INVALID, RecordHeader.INCOMPLETE);
        }
        assertThat(RecordHeader.check(ByteBuffer.wrap(golden), 0, 40, 1000, 1000, crc))
            .as("fewer bytes than a header").isEqualTo(RecordHeader.INVALID);
        assertThat(RecordHeader.check(ByteBuffer.wrap(golden), 0, 50, 1000, 1000, crc))
            .as("header present, body cut").isEqualTo(RecordHeader.INCOMPLETE);
    }
}
