package io.raftmq.client.consumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.testsupport.GoldenVectors;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the pull-body decoder reads the official encoder's stored messages exactly (golden vectors 08 IPv4 and 09
 * IPv6, written by RocketMQ 5.3.3), back to back, inflates a ZLIB body, restores a retried message's topic, and
 * stops with a clear error at a message that does not frame, keeping those before it. Method: decode the golden
 * bytes and variants built from them.
 */
class PulledMessageDecoderTest {
    private static final MessageQueue Q = new MessageQueue("TopicTest", "broker-a", 0);

    @Test
    void decodesTheGoldenStoredMessages() {
        byte[] v08 = GoldenVectors.bytes("08_stored_message_v1.bin");
        byte[] v09 = GoldenVectors.bytes("09_stored_message_ipv6.bin");
        ByteBuf body = Unpooled.wrappedBuffer(v08, v09);
        try {
            List<ReceivedMessage> ms = PulledMessageDecoder.decode(body, Q);
            assertThat(ms).hasSize(2);
            ReceivedMessage a = ms.get(0);
            assertThat(a.topic()).isEqualTo("TopicTest");
            assertThat(a.bodyString()).isEqualTo("Hello");
            assertThat(a.queueOffset()).isZero();
            assertThat(a.commitLogOffset()).isZero();
            assertThat(a.bornTimestampMs()).isEqualTo(1_700_000_000_000L);
            assertThat(a.storeTimestampMs()).isEqualTo(1_700_000_000_123L);
            assertThat(a.tags()).isEqualTo("TagA");
            assertThat(a.keys()).isEqualTo("KEY1");
            assertThat(a.properties()).as("split on demand").containsEntry("TAGS", "TagA")
                .containsEntry("KEYS", "KEY1");
            assertThat(a.tags()).as("from the map once built").isEqualTo("TagA");
            assertThat(a.msgId()).isEqualTo("7F0000010001B4AAC2F1234500000000");
            assertThat(a.offsetMsgId()).isEqualTo("7F00000100002A9F0000000000000000");
            assertThat(a.property("CLUSTER")).isEqualTo("DefaultCluster");
            assertThat(a.storeSize()).isEqualTo(200);
            ReceivedMessage b = ms.get(1);
            assertThat(b.queueOffset()).isEqualTo(1);
            assertThat(b.commitLogOffset()).isEqualTo(200);
            assertThat(b.offsetMsgId()).hasSize(56).endsWith("00002A9F00000000000000C8");
            assertThat(b.bodyString()).isEqualTo("Hello");
            assertThat(body.readerIndex()).as("indexes untouched").isZero();
        } finally {
            body.release();
        }
    }

    @Test
    void inflatesZlibAndRestoresTheTopicOfARetriedMessage() {
        byte[] plain = "a compressible body, ".repeat(50).getBytes(StandardCharsets.UTF_8);
        byte[] msg = withBodyAndProps(deflate(plain), 0x301, "%RETRY%CG",
            "RETRY_TOPIC\u0001TopicTest\u0002TAGS\u0001TagA\u0002");
        ByteBuf body = Unpooled.wrappedBuffer(msg);
        try {
            ReceivedMessage m = PulledMessageDecoder.decode(body, new MessageQueue("%RETRY%CG", "broker-a", 0)).get(0);
            assertThat(m.body()).isEqualTo(plain);
            assertThat(m.topic()).isEqualTo("TopicTest");
            assertThat(m.queue().topic()).isEqualTo("%RETRY%CG");
        } finally {
            body.release();
        }
    }

    @Test
    void aMessageThatDoesNotFrameEndsDecodingWithTheEarlierOnesKept() {
        byte[] v08 = GoldenVectors.bytes("08_stored_message_v1.bin");
        byte[] bad = v08.clone();
        bad[4] = 0; // magic
        ByteBuf body = Unpooled.wrappedBuffer(v08, bad);
        try {
            assertThatThrownBy(() -> PulledMessageDecoder.decode(body, Q))
                .isInstanceOf(PulledMessageDecoder.MessageFormatException.class).hasMessageContaining("magic")
                .satisfies(e -> assertThat(((PulledMessageDecoder.MessageFormatException) e).decoded()).hasSize(1));
        } finally {
            body.release();
        }
        ByteBuf truncated = Unpooled.wrappedBuffer(v08, new byte[] {0, 0, 0, (byte) 200, 1, 2});
        try {
            assertThatThrownBy(() -> PulledMessageDecoder.decode(truncated, Q))
                .hasMessageContaining("TOTALSIZE 200 with 6 bytes left");
        } finally {
            truncated.release();
        }
    }

    @Test
    void propertiesParseAsTheOfficialDecoderDoes() {
        assertThat(PulledMessageDecoder.parseProperties("A\u00011\u0002B\u00012\u0002A\u00013"))
            .containsEntry("A", "3").containsEntry("B", "2").hasSize(2);
        assertThat(PulledMessageDecoder.parseProperties("\u0002X\u0001\u0002\u0001Y\u0002")).isEmpty();
    }

    /**
     * A single property found by scanning the string (no map) agrees with the parsed map for every name, on strings
     * built from a small alphabet of names, values and separators (seeded, seed printed).
     */
    @Test
    void findPropertyAgreesWithTheParsedMap() {
        long seed = new java.util.Random().nextLong();
        System.out.println("findPropertyAgreesWithTheParsedMap seed " + seed);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        String[] pieces = {"A", "AB", "B", "TAGS", "1", "xy", "\u0001", "\u0002", ""};
        String[] names = {"A", "AB", "B", "TAGS", "1", "xy", "ABC", "C"};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(12);
            for (int k = 0; k < n; k++) {
                sb.append(pieces[r.nextInt(pieces.length)]);
            }
            String props = sb.toString();
            java.util.Map<String, String> map = PulledMessageDecoder.parseProperties(props);
            for (String name : names) {
                assertThat(PulledMessageDecoder.findProperty(props, name)).as("%s in %s", name,
                        props.replace('\u0001', '=').replace('\u0002', ';')).isEqualTo(map.get(name));
            }
        }
    }

    /** Vector 08 with another body, sysFlag, topic and properties (TOTALSIZE recomputed; V1 magic, IPv4). */
    private static byte[] withBodyAndProps(byte[] newBody, int sysFlag, String topic, String props) {
        byte[] v08 = GoldenVectors.bytes("08_stored_message_v1.bin");
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        byte[] p = props.getBytes(StandardCharsets.UTF_8);
        int fixed = 84; // through PREPARED TRANSACTION OFFSET
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(fixed + 4 + newBody.length + 1 + t.length + 2 + p.length);
        b.put(v08, 0, fixed);
        b.putInt(0, b.capacity());
        b.putInt(36, sysFlag);
        b.putInt(newBody.length).put(newBody).put((byte) t.length).put(t).putShort((short) p.length).put(p);
        return b.array();
    }

    private static byte[] deflate(byte[] in) {
        Deflater d = new Deflater(5);
        d.setInput(in);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1024];
        while (!d.finished()) {
            out.write(chunk, 0, d.deflate(chunk));
        }
        d.end();
        return out.toByteArray();
    }
}
