package io.raftmq.broker.entry;

import java.util.ArrayList;
import java.util.List;

/**
 * Payload of a {@link EntryType#CONSUMER_OFFSETS} entry: a batch of consumer offset updates, applied in order
 * (last writer wins per (group, topic, queueId)). The encoder sorts the updates by {@link OffsetUpdate#ORDER} and
 * rejects duplicate keys, so one logical batch always has one encoding.
 *
 * <pre>
 *  0        1                5
 *  +--------+----------------+------------------------------------------------------------+
 *  | ver=1  | count (i32)    | count x update                                             |
 *  +--------+----------------+------------------------------------------------------------+
 *  update:  group (str16) | topic (str16) | queueId (i32) | offset (i64)
 *  str16:   length (u16, 0xFFFF = null) | UTF-8 bytes
 * </pre>
 * All integers big-endian. Minimum size {@value #HEADER_LENGTH} bytes (empty batch).
 */
public final class ConsumerOffsetCodec {
    public static final int VERSION_OFFSET = 0;
    public static final int COUNT_OFFSET = 1;
    public static final int HEADER_LENGTH = 5;
    /** Bound on updates in one entry (a decoded count above it is corrupt). */
    public static final int UPDATES_MAX = 1 << 20;

    static {
        if (HEADER_LENGTH != COUNT_OFFSET + 4) {
            throw new IllegalStateException("ConsumerOffsetCodec header size");
        }
    }

    private ConsumerOffsetCodec() {
    }

    /** Encodes {@code updates} (any order, unique keys). */
    public static byte[] encode(List<OffsetUpdate> updates) {
        if (updates.size() > UPDATES_MAX) {
            throw new IllegalArgumentException("more than " + UPDATES_MAX + " updates in one entry");
        }
        List<OffsetUpdate> sorted = new ArrayList<>(updates);
        sorted.sort(OffsetUpdate.ORDER);
        PayloadWriter w = new PayloadWriter(HEADER_LENGTH + sorted.size() * 48);
        w.u8(EntryType.FORMAT_VERSION).i32(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            OffsetUpdate u = sorted.get(i);
            if (i > 0 && OffsetUpdate.ORDER.compare(sorted.get(i - 1), u) == 0) {
                throw new IllegalArgumentException("duplicate offset key " + u.group() + "/" + u.topic() + "/"
                        + u.queueId());
            }
            w.str(u.group()).str(u.topic()).i32(u.queueId()).i64(u.offset());
        }
        return w.toByteArray();
    }

    /** Decodes a payload. @throws EntryFormatException if malformed */
    public static List<OffsetUpdate> decode(byte[] payload) {
        PayloadReader r = new PayloadReader(payload, "CONSUMER_OFFSETS entry");
        r.version(EntryType.FORMAT_VERSION);
        int n = r.count(UPDATES_MAX);
        List<OffsetUpdate> out = new ArrayList<>(Math.min(n, 4096));
        for (int i = 0; i < n; i++) {
            String group = r.strNonNull("group");
            String topic = r.strNonNull("topic");
            int queueId = r.i32();
            long offset = r.i64();
            if (queueId < 0 || offset < 0) {
                throw new EntryFormatException("CONSUMER_OFFSETS entry: negative queueId or offset in update " + i);
            }
            out.add(new OffsetUpdate(group, topic, queueId, offset));
        }
        r.end();
        return out;
    }
}
