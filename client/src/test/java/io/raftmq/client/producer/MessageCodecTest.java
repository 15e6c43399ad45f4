package io.raftmq.client.producer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the producer's encodings are byte for byte what the layouts in {@link MessageCodec} and docs/protocol.md
 * §3.4/§3.6/§3.11 say (golden bytes), and bad messages are refused with a message that names the problem.
 */
class MessageCodecTest {
    private static final String U = "0123456789ABCDEF0123456789ABCDEF";

    @Test
    void propertiesGoldenString() {
        Message m = new Message("T", "TagA", new byte[] {1}).keys("k1 k2").property("color", "blue")
            .delayTimeLevel(3);
        assertThat(MessageCodec.properties(m, U)).isEqualTo(
            "color\u0001blue\u0002KEYS\u0001k1 k2\u0002TAGS\u0001TagA\u0002DELAY\u00013\u0002WAIT\u0001true\u0002"
                + "UNIQ_KEY\u0001" + U + "\u0002");
        Message timer = new Message("T", new byte[] {1}).deliverTimeMs(1_700_000_000_000L);
        assertThat(MessageCodec.properties(timer, U)).isEqualTo(
            "TIMER_DELIVER_MS\u00011700000000000\u0002WAIT\u0001true\u0002UNIQ_KEY\u0001" + U + "\u0002");
        assertThat(MessageCodec.batchProperties()).as("no batch-level UNIQ_KEY").isEqualTo("WAIT\u0001true\u0002");
    }

    @Test
    void batchBodyGoldenBytes() {
        Message a = new Message("T", "Hi".getBytes(StandardCharsets.UTF_8)).flag(7);
        Message b = new Message("T", new byte[] {(byte) 0xFF});
        byte[] body = MessageCodec.batchBody(List.of(a, b), List.of("A\u0001B\u0002", ""), 1 << 20);
        // message 1: total 20 + 2 + 2 + 4 = 28 (0x1C), magic 0, crc 0, flag 7, body length 2 "Hi", props length 4
        // message 2: total 20 + 1 + 2 + 0 = 23 (0x17), flag 0, body length 1 0xFF, props length 0
        assertThat(HexFormat.of().formatHex(body)).isEqualTo(
            "0000001c" + "00000000" + "00000000" + "00000007" + "00000002" + "4869" + "0004" + "41014202"
                + "00000017" + "00000000" + "00000000" + "00000000" + "00000001" + "ff" + "0000");
        assertThatThrownBy(() -> MessageCodec.batchBody(List.of(a), List.of(""), 10))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bodyBytesMax (10)");
    }

    @Test
    void compressionIsAZlibStreamAndOnlyWhenSmaller() throws Exception {
        byte[] text = "abcabcabc ".repeat(1000).getBytes(StandardCharsets.UTF_8);
        byte[] z = MessageCodec.compress(text);
        assertThat(z).isNotNull();
        assertThat(z.length).isLessThan(text.length / 10);
        assertThat(z[0]).as("zlib header CMF").isEqualTo((byte) 0x78);
        Inflater inf = new Inflater();
        inf.setInput(z);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!inf.finished()) {
            out.write(buf, 0, inf.inflate(buf));
        }
        inf.end();
        assertThat(out.toByteArray()).isEqualTo(text);
        byte[] random = new byte[8192];
        new java.util.SplittableRandom(42).nextBytes(random);
        assertThat(MessageCodec.compress(random)).as("incompressible body stays as it is").isNull();
        assertThat(MessageCodec.SYSFLAG_COMPRESSED_ZLIB).isEqualTo(0x301);
    }

    @Test
    void badMessagesAreRefusedWithClearMessages() {
        assertThatThrownBy(() -> MessageCodec.validate(new Message("T", new byte[0]), 100))
            .hasMessageContaining("empty");
        assertThatThrownBy(() -> MessageCodec.validate(new Message("T", new byte[101]), 100))
            .hasMessageContaining("101 bytes is larger than bodyBytesMax (100)");
        assertThatThrownBy(() -> MessageCodec.validate(new Message("bad topic", new byte[1]), 100))
            .hasMessageContaining("may only use");
        assertThatThrownBy(() -> MessageCodec.validate(new Message("x".repeat(128), new byte[1]), 100))
            .hasMessageContaining("longer than 127");
        assertThatThrownBy(() -> MessageCodec.validate(new Message("TBW102", new byte[1]), 100))
            .hasMessageContaining("auto-create template");
        assertThatThrownBy(() -> MessageCodec.validate(new Message("T", new byte[1]).property("KEYS", "x"), 100))
            .hasMessageContaining("reserved");
        assertThatThrownBy(() -> MessageCodec.validate(new Message("T", new byte[1]).tags("a\u0001b"), 100))
            .hasMessageContaining("separator");
        assertThatThrownBy(() -> MessageCodec.validate(new Message("T", new byte[1]).delayTimeLevel(2)
            .deliverTimeMs(5), 100)).hasMessageContaining("not both");
        Message huge = new Message("T", new byte[1]).property("p", "v".repeat(40_000));
        assertThatThrownBy(() -> MessageCodec.properties(huge, U)).hasMessageContaining("more than 32767");
    }
}
