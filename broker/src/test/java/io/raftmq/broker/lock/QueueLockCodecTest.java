package io.raftmq.broker.lock;

import io.raftmq.broker.entry.EntryFormatException;
import io.raftmq.client.protocol.body.MessageQueue;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the QUEUE_LOCK payload is exactly the layout drawn in {@link QueueLockCodec} (golden hex written by hand
 * from the drawing; it is the log format and must never change), queues are sorted and deduplicated, and malformed
 * payloads fail with {@link EntryFormatException}.
 */
class QueueLockCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void lockGoldenBytesSortedAndDeduplicated() {
        QueueLockEntry e = new QueueLockEntry(true, 1000, 500, 60_000, "g", "c",
            List.of(new MessageQueue("t", "b", 1), new MessageQueue("t", "b", 0), new MessageQueue("t", "b", 1)));
        byte[] b = QueueLockCodec.encode(e);
        assertThat(HEX.formatHex(b)).isEqualTo("01" + "01" + "00000000000003e8" + "00000000000001f4"
            + "000000000000ea60" + "000167" + "000163" + "00000002"
            + "000174" + "000162" + "00000000" + "000174" + "000162" + "00000001");
        assertThat(QueueLockCodec.decode(b)).isEqualTo(new QueueLockEntry(true, 1000, 500, 60_000, "g", "c",
            List.of(new MessageQueue("t", "b", 0), new MessageQueue("t", "b", 1))));
    }

    @Test
    void unlockGoldenBytesWithNullBrokerName() {
        byte[] b = QueueLockCodec.encode(new QueueLockEntry(false, 1, 0, 1000, "g", "c",
            List.of(new MessageQueue("t", null, 3))));
        assertThat(HEX.formatHex(b)).isEqualTo("01" + "02" + "0000000000000001" + "0000000000000000"
            + "00000000000003e8" + "000167" + "000163" + "00000001" + "000174" + "ffff" + "00000003");
        QueueLockEntry back = QueueLockCodec.decode(b);
        assertThat(back.lock()).isFalse();
        assertThat(back.queues()).containsExactly(new MessageQueue("t", null, 3));
    }

    @Test
    void rejectsMalformedPayloads() {
        byte[] good = QueueLockCodec.encode(new QueueLockEntry(true, 1, 0, 1000, "g", "c",
            List.of(new MessageQueue("t", "b", 0))));
        assertThatThrownBy(() -> QueueLockCodec.decode(Arrays.copyOf(good, good.length - 1)))
            .isInstanceOf(EntryFormatException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> QueueLockCodec.decode(Arrays.copyOf(good, good.length + 1)))
            .isInstanceOf(EntryFormatException.class).hasMessageContaining("trailing");
        byte[] badOp = good.clone();
        badOp[QueueLockCodec.OP_OFFSET] = 3;
        assertThatThrownBy(() -> QueueLockCodec.decode(badOp)).hasMessageContaining("unknown op 3");
        byte[] v2 = good.clone();
        v2[QueueLockCodec.VERSION_OFFSET] = 2;
        assertThatThrownBy(() -> QueueLockCodec.decode(v2)).hasMessageContaining("unknown format version 2");
        byte[] zeroExpiry = good.clone();
        Arrays.fill(zeroExpiry, QueueLockCodec.EXPIRY_OFFSET, QueueLockCodec.FIXED_LENGTH, (byte) 0);
        assertThatThrownBy(() -> QueueLockCodec.decode(zeroExpiry)).isInstanceOf(EntryFormatException.class);
        assertThatThrownBy(() -> QueueLockCodec.encode(new QueueLockEntry(true, 1, 0, 1000, null, "c", List.of())))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
