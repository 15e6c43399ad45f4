package io.raftmq.broker.processor.pull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.StoredMessageEncoder;
import io.raftmq.testsupport.Seeds;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: {@link RegionStamp} gives every message of a pull body a {@code MSG_REGION} property the official client
 * decodes (docs/consumer-protocol.md "Message trace") and changes nothing else: the other properties, topic, body,
 * offsets; a message that already names a region keeps its own; properties that do not end with a separator (or are
 * empty) still decode; the given body is released and the new one owned by the caller. Method: seeded bodies of
 * stored messages encoded here, decoded after the stamp with the official client's {@code MessageDecoder}.
 */
class RegionStampTest {
    private static final HostAddress HOST = HostAddress.of(new byte[] {127, 0, 0, 1}, 10911);
    private static final RegionStamp STAMP = new RegionStamp("eu-west");

    @Test
    void everyMessageNamesTheRegionAndKeepsEverythingElse() {
        long seed = Seeds.seed("region.seed");
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++) {
            List<Map<String, String>> props = new ArrayList<>();
            List<byte[]> bodies = new ArrayList<>();
            ByteBuf body = PooledByteBufAllocator.DEFAULT.directBuffer();
            int n = 1 + r.nextInt(8);
            for (int i = 0; i < n; i++) {
                Map<String, String> p = randomProperties(r);
                byte[] payload = new byte[r.nextInt(300)];
                r.nextBytes(payload);
                props.add(p);
                bodies.add(payload);
                body.writeBytes(encode(i, p, payload, r.nextInt(4) == 0));
            }
            ByteBuf out = STAMP.apply(body);
            String ctx = "seed " + seed + " round " + round;
            assertThat(body.refCnt()).as(ctx).isZero();
            try {
                List<MessageExt> decoded = MessageDecoder.decodesBatch(out.nioBuffer(), true, false, true);
                assertThat(decoded).as(ctx).hasSize(n);
                for (int i = 0; i < n; i++) {
                    MessageExt m = decoded.get(i);
                    Map<String, String> expected = new LinkedHashMap<>(props.get(i));
                    expected.putIfAbsent("MSG_REGION", "eu-west");
                    assertThat(m.getProperties()).as(ctx).isEqualTo(expected);
                    assertThat(m.getBody() == null ? new byte[0] : m.getBody()).as(ctx).isEqualTo(bodies.get(i));
                    assertThat(m.getTopic()).as(ctx).isEqualTo("T" + i);
                    assertThat(m.getQueueOffset()).as(ctx).isEqualTo(100 + i);
                }
            } finally {
                out.release();
            }
        }
    }

    @Test
    void nullStaysNull() {
        assertThat(STAMP.apply(null)).isNull();
    }

    private static Map<String, String> randomProperties(SplittableRandom r) {
        Map<String, String> p = new LinkedHashMap<>();
        int count = r.nextInt(5);
        for (int i = 0; i < count; i++) {
            p.put("k" + i, "v" + r.nextInt(1000));
        }
        if (r.nextInt(5) == 0) {
            p.put("MSG_REGION", "own-region");
        }
        if (r.nextInt(5) == 0) {
            p.put("XMSG_REGION", "not-a-region"); // a key that only ends like the region's
        }
        return p;
    }

    /** A stored message; its properties end with a separator unless {@code bare} (RocketMQ's encoder writes one). */
    private static byte[] encode(int i, Map<String, String> p, byte[] payload, boolean bare) {
        StringBuilder s = new StringBuilder();
        p.forEach((k, v) -> s.append(k).append('\u0001').append(v).append('\u0002'));
        if (bare && s.length() > 0) {
            s.setLength(s.length() - 1);
        }
        MessageDraft d = new MessageDraft().topic("T" + i).queueId(0).body(payload)
            .properties(s.toString().getBytes(StandardCharsets.UTF_8)).bornTimestamp(1_000).bornHost(HOST)
            .storeTimestamp(1_001).storeHost(HOST);
        byte[] bytes = new StoredMessageEncoder().encode(d);
        ByteBuffer.wrap(bytes).putLong(StoredMessage.QUEUE_OFFSET_OFFSET, 100 + i); // as the store stamps it
        return bytes;
    }
}
