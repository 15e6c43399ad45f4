package io.raftmq.naming.processor;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.body.DataVersion;
import io.raftmq.client.protocol.body.RegisterBrokerBody;
import io.raftmq.client.protocol.body.TopicConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the compressed REGISTER_BROKER body is decoded exactly per its drawn layout, and hostile or broken
 * input is refused with a clear error instead of an exception escaping or a huge allocation.
 * Method: golden inflated bytes written out by hand (hex below), deflated with the JDK; the official encoder
 * is exercised in OfficialClientCompatTest.
 */
class CompressedRegisterBodyTest {
    /**
     * Inflated golden layout, lengths written out by hand: dvLen=45 + DataVersion JSON, topics=1, len=36 + topic
     * text, fsLen=18 + filter server list, maps=0. Built from hex so the test does not reuse the decoder's code.
     */
    private static final String GOLDEN_HEX =
            "0000002d" + hex("{\"counter\":3,\"stateVersion\":0,\"timestamp\":99}")
            + "00000001" + "00000024" + hex("TopicTest 4 4 6 SINGLE_TAG {\"a\":\"b\"}")
            + "00000012" + hex("[\"10.0.0.1:40000\"]")
            + "00000000";

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] deflate(byte[] raw) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(out, new Deflater(Deflater.BEST_COMPRESSION))) {
            d.write(raw);
        }
        return out.toByteArray();
    }

    @Test
    void goldenLayoutDecodes() throws Exception {
        byte[] raw = HexFormat.of().parseHex(GOLDEN_HEX);
        assertThat(ByteBuffer.wrap(raw).getInt()).as("length prefix is big-endian").isEqualTo(45);
        RegisterBrokerBody body = CompressedRegisterBody.decode(deflate(raw));
        assertThat(body.topicConfigSerializeWrapper().dataVersion()).isEqualTo(new DataVersion(3, 0, 99));
        assertThat(body.topicConfigSerializeWrapper().topicConfigTable()).containsExactly(Map.entry("TopicTest",
                new TopicConfig("TopicTest", 4, 4, 6, "SINGLE_TAG", 0, false, Map.of("a", "b"))));
        assertThat(body.filterServerList()).containsExactly("10.0.0.1:40000");
    }

    @Test
    void topicTextWithoutAttributesDecodes() throws Exception {
        assertThat(CompressedRegisterBody.parseTopicText("T 1 2 7 MULTI_TAG"))
                .isEqualTo(new TopicConfig("T", 1, 2, 7, "MULTI_TAG", 0, false, Map.of()));
        assertThatThrownBy(() -> CompressedRegisterBody.parseTopicText("T 1 x 7 SINGLE_TAG"))
                .isInstanceOf(RemotingCommandException.class).hasMessageContaining("bad number");
        assertThatThrownBy(() -> CompressedRegisterBody.parseTopicText("T 1 2"))
                .isInstanceOf(RemotingCommandException.class).hasMessageContaining("3 fields");
    }

    @Test
    void brokenInputIsRefused() throws Exception {
        byte[] raw = HexFormat.of().parseHex(GOLDEN_HEX);
        assertThatThrownBy(() -> CompressedRegisterBody.decode(raw))
                .as("not zlib").isInstanceOf(RemotingCommandException.class).hasMessageContaining("zlib");
        byte[] deflated = deflate(raw);
        byte[] cut = java.util.Arrays.copyOf(deflated, deflated.length / 2);
        assertThatThrownBy(() -> CompressedRegisterBody.decode(cut))
                .isInstanceOf(RemotingCommandException.class).hasMessageContaining("truncated");
        byte[] huge = HexFormat.of().parseHex("7fffffff");
        assertThatThrownBy(() -> CompressedRegisterBody.decode(deflate(huge)))
                .isInstanceOf(RemotingCommandException.class).hasMessageContaining("exceeds");
        byte[] negative = HexFormat.of().parseHex("ffffffff");
        assertThatThrownBy(() -> CompressedRegisterBody.decode(deflate(negative)))
                .isInstanceOf(RemotingCommandException.class).hasMessageContaining("negative length");
    }

    @Test
    void aZipBombStopsAtTheLimit() throws Exception {
        byte[] zeros = new byte[CompressedRegisterBody.INFLATED_LENGTH_MAX + 1024];
        byte[] bomb = deflate(zeros);
        assertThat(bomb.length).isLessThan(200_000);
        assertThatThrownBy(() -> CompressedRegisterBody.decode(bomb))
                .isInstanceOf(RemotingCommandException.class).hasMessageContaining("inflates beyond");
    }
}
