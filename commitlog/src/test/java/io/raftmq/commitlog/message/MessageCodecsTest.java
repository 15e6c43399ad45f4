package io.raftmq.commitlog.message;

import io.raftmq.testsupport.GoldenVectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Goal: the small codecs match the protocol's worked examples and the client's decoder rules. Method: fixed inputs
 * from docs/protocol.md §3.3-3.8 and vector 10, including the corner cases the client decoder tolerates or ignores.
 */
class MessageCodecsTest {

    @Test
    void crcOfHelloHasBit31Cleared() {
        assertThat(RocketCrc32.of("Hello".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x77D18982);
        ByteBuffer direct = ByteBuffer.allocateDirect(7).put("xHellox".getBytes()).position(3).limit(4);
        assertThat(new RocketCrc32().compute(direct, 1, 5)).isEqualTo(2010220930);
        assertThat(direct.position()).isEqualTo(3);
        assertThat(direct.limit()).isEqualTo(4);
    }

    @Test
    void tagsCode() {
        assertThat(TagsCode.of("TagA")).isEqualTo(2598919L);
        assertThat(TagsCode.of(null)).isZero();
        assertThat(TagsCode.of("")).isZero();
        assertThat(TagsCode.of("Aa")).isEqualTo(TagsCode.of("BB"));
        assertThat(TagsCode.of("polygenelubricants")).isNegative();
    }

    @Test
    void offsetMsgIdRoundTrip() {
        HostAddress host = HostAddress.of(new byte[] {127, 0, 0, 1}, 10911);
        assertThat(MessageIds.offsetMsgId(host, 0)).isEqualTo("7F00000100002A9F0000000000000000");
        MessageIds.OffsetMsgId decoded = MessageIds.decodeOffsetMsgId("7f00000100002a9f00000000000000c8");
        assertThat(decoded.storeHost()).isEqualTo(host);
        assertThat(decoded.physicalOffset()).isEqualTo(200);
        byte[] v6 = new byte[16];
        v6[0] = (byte) 0xFD;
        v6[15] = 2;
        String id6 = MessageIds.offsetMsgId(HostAddress.of(v6, 10911), Long.MAX_VALUE);
        assertThat(id6).hasSize(56);
        assertThat(MessageIds.decodeOffsetMsgId(id6).physicalOffset()).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> MessageIds.decodeOffsetMsgId("7F00")).isInstanceOf(MessageFormatException.class);
        assertThatThrownBy(() -> MessageIds.decodeOffsetMsgId("Z".repeat(32)))
                .isInstanceOf(MessageFormatException.class);
    }

    @Test
    void propertiesDecoderFollowsClientRules() {
        String s = "KEYS\u0001KEY1\u0002ab\u0002\u0001x\u0002y\u0001\u0002"
                + "TAGS\u0001A\u0002TAGS\u0001B\u0002V\u0001a\u0001b";
        Map<String, String> m = MessageProperties.decode(s);
        assertThat(m).containsExactly(Map.entry("KEYS", "KEY1"), Map.entry("TAGS", "B"), Map.entry("V", "a\u0001b"));
        assertThat(MessageProperties.get(s, "TAGS")).isEqualTo("B");
        assertThat(MessageProperties.get(s, "V")).isEqualTo("a\u0001b");
        assertThat(MessageProperties.get(s, "y")).isNull();
        assertThat(MessageProperties.get(s, "KEY")).isNull();
        assertThat(MessageProperties.decode(null)).isEmpty();
    }

    @Test
    void propertiesEncoderWritesTrailingSeparatorAndSkipsNulls() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("A", "1");
        m.put("B", null);
        m.put("C", "3");
        assertThat(MessageProperties.encode(m)).isEqualTo("A\u00011\u0002C\u00013\u0002");
    }

    @Test
    void batchBodyVector10() {
        byte[] bytes = GoldenVectors.bytes("10_batch_body.bin");
        BatchBodyReader r = new BatchBodyReader().reset(ByteBuffer.wrap(bytes), 0, bytes.length);
        List<String> bodies = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        while (r.next()) {
            assertThat(r.flag()).isZero();
            bodies.add(StandardCharsets.UTF_8.decode(r.bodySlice()).toString());
            keys.add(MessageProperties.get(r.properties(), MessageProperties.KEYS));
            assertThat(MessageProperties.get(r.properties(), MessageProperties.TAGS)).isEqualTo("TagA");
        }
        assertThat(bodies).containsExactly("m1", "m2");
        assertThat(keys).containsExactly("k1", "k2");
    }

    @Test
    void batchBodyRejectsTruncationAndBadSizes() {
        byte[] bytes = GoldenVectors.bytes("10_batch_body.bin");
        BatchBodyReader r = new BatchBodyReader().reset(ByteBuffer.wrap(bytes), 0, bytes.length - 3);
        assertThat(r.next()).isTrue();
        assertThatThrownBy(r::next).isInstanceOf(MessageFormatException.class);
        byte[] bad = bytes.clone();
        bad[3] = 0x50;
        BatchBodyReader r2 = new BatchBodyReader().reset(ByteBuffer.wrap(bad), 0, bad.length);
        assertThatThrownBy(r2::next).isInstanceOf(MessageFormatException.class);
    }
}
