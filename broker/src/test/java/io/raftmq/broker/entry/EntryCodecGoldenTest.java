package io.raftmq.broker.entry;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: every metadata entry codec writes exactly the bytes drawn in its class comment (golden hex written by hand
 * from the layouts), decodes them back, and rejects malformed payloads with {@link EntryFormatException}. The hex
 * strings are the log format: they must never change (a new format gets a new version byte).
 */
class EntryCodecGoldenTest {
    private static final HexFormat HEX = HexFormat.of();

    private static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    @Test
    void entryTypeTableReservesRaftAndFiller() {
        assertThat(EntryType.MESSAGE).isEqualTo((byte) 16);
        assertThat(EntryType.RAFT_INTERNAL_MAX).isEqualTo((byte) 15);
        assertThat(EntryType.isMetadata(EntryType.MESSAGE)).isFalse();
        assertThat(EntryType.isMetadata(EntryType.CONSUMER_OFFSETS)).isTrue();
        assertThat(EntryType.isMetadata(EntryType.GROUP_DELETE)).isTrue();
        assertThat(EntryType.isMetadata((byte) 22)).isFalse();
        assertThat(EntryType.isMetadata(EntryType.FILLER)).isFalse();
        assertThat(EntryType.name((byte) 0)).isEqualTo("RAFT_0");
        assertThat(EntryType.name((byte) 200)).isEqualTo("TYPE_200");
    }

    @Test
    void consumerOffsetsGoldenBytesSortedByKey() {
        byte[] b = ConsumerOffsetCodec.encode(List.of(new OffsetUpdate("g", "t", 1, 42),
                new OffsetUpdate("a", "t", 0, 7)));
        assertThat(hex(b)).isEqualTo("01" + "00000002"
                + "000161" + "000174" + "00000000" + "0000000000000007"
                + "000167" + "000174" + "00000001" + "000000000000002a");
        assertThat(ConsumerOffsetCodec.decode(b)).containsExactly(new OffsetUpdate("a", "t", 0, 7),
                new OffsetUpdate("g", "t", 1, 42));
        assertThat(hex(ConsumerOffsetCodec.encode(List.of()))).isEqualTo("0100000000");
    }

    @Test
    void consumerOffsetsRejectsDuplicatesAndMalformedInput() {
        assertThatThrownBy(() -> ConsumerOffsetCodec.encode(List.of(new OffsetUpdate("g", "t", 1, 1),
                new OffsetUpdate("g", "t", 1, 2)))).isInstanceOf(IllegalArgumentException.class);
        byte[] good = ConsumerOffsetCodec.encode(List.of(new OffsetUpdate("g", "t", 1, 42)));
        assertThatThrownBy(() -> ConsumerOffsetCodec.decode(java.util.Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(EntryFormatException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> ConsumerOffsetCodec.decode(java.util.Arrays.copyOf(good, good.length + 1)))
                .isInstanceOf(EntryFormatException.class).hasMessageContaining("trailing");
        byte[] v2 = good.clone();
        v2[0] = 2;
        assertThatThrownBy(() -> ConsumerOffsetCodec.decode(v2)).hasMessageContaining("unknown format version 2");
        assertThatThrownBy(() -> ConsumerOffsetCodec.decode(HEX.parseHex("01ffffffff")))
                .hasMessageContaining("count -1 out of");
        assertThatThrownBy(() -> ConsumerOffsetCodec.decode(HEX.parseHex("0100000001" + "000167000174"
                + "ffffffff" + "0000000000000001"))).hasMessageContaining("negative queueId");
    }

    @Test
    void topicPutAndDeleteGoldenBytes() {
        TopicConfigEntry c = new TopicConfigEntry("T", 4, 4, 6, "SINGLE_TAG", 0, false, Map.of("k", "v"));
        byte[] b = TopicConfigCodec.encodePut(c, 0x0102030405060708L);
        assertThat(hex(b)).isEqualTo("01" + "0102030405060708" + "000154" + "00000004" + "00000004" + "00000006"
                + "000a" + "53494e474c455f544147" + "00000000" + "00" + "0001" + "00016b" + "000176");
        assertThat(TopicConfigCodec.decodePut(b)).isEqualTo(new TopicConfigCodec.Put(c, 0x0102030405060708L));
        byte[] d = TopicConfigCodec.encodeDelete("T", 1);
        assertThat(hex(d)).isEqualTo("01" + "0000000000000001" + "000154");
        assertThat(TopicConfigCodec.decodeDelete(d)).isEqualTo(new TopicConfigCodec.Delete("T", 1));
    }

    @Test
    void topicPutNullFilterTypeAndBadBoolean() {
        TopicConfigEntry c = new TopicConfigEntry("T", 1, 1, 6, null, 0, true, Map.of());
        byte[] b = TopicConfigCodec.encodePut(c, 0);
        assertThat(hex(b)).isEqualTo("01" + "0000000000000000" + "000154" + "00000001" + "00000001" + "00000006"
                + "ffff" + "00000000" + "01" + "0000");
        assertThat(TopicConfigCodec.decodePut(b).config()).isEqualTo(c);
        b[b.length - 3] = 2;
        assertThatThrownBy(() -> TopicConfigCodec.decodePut(b)).isInstanceOf(EntryFormatException.class)
                .hasMessageContaining("boolean byte 2");
        assertThatThrownBy(() -> TopicConfigCodec.decodeDelete(HEX.parseHex("010000000000000000ffff")))
                .hasMessageContaining("topicName must not be null");
    }

    @Test
    void groupPutAndDeleteGoldenBytes() {
        SubscriptionGroupEntry c = new SubscriptionGroupEntry("G", true, true, true, false, 1, 16, "CUSTOMIZED", 0, 1,
                true, 0, 15, Map.of());
        byte[] b = SubscriptionGroupCodec.encodePut(c, 2);
        assertThat(hex(b)).isEqualTo("01" + "0000000000000002" + "000147" + "17" + "00000001" + "00000010"
                + "000a" + "435553544f4d495a4544" + "0000000000000000" + "0000000000000001" + "00000000"
                + "0000000f" + "0000");
        assertThat(SubscriptionGroupCodec.decodePut(b)).isEqualTo(new SubscriptionGroupCodec.Put(c, 2));
        byte[] d = SubscriptionGroupCodec.encodeDelete("G", true, 3);
        assertThat(hex(d)).isEqualTo("01" + "0000000000000003" + "000147" + "01");
        assertThat(SubscriptionGroupCodec.decodeDelete(d)).isEqualTo(new SubscriptionGroupCodec.Delete("G", true, 3));
        b[12] = (byte) 0x37;
        assertThatThrownBy(() -> SubscriptionGroupCodec.decodePut(b)).hasMessageContaining("unknown flag bits");
    }

    @Test
    void everyFlagBitRoundTrips() {
        for (int mask = 0; mask < 32; mask++) {
            SubscriptionGroupEntry c = new SubscriptionGroupEntry("G", (mask & 1) != 0, (mask & 2) != 0,
                    (mask & 4) != 0, (mask & 8) != 0, 3, 5, null, 7, 9, (mask & 16) != 0, 11, 13, Map.of("a", "b"));
            assertThat(SubscriptionGroupCodec.decodePut(SubscriptionGroupCodec.encodePut(c, mask)).config())
                    .isEqualTo(c);
        }
    }
}
