package io.raftmq.broker.processor.pull;

import io.netty.buffer.ByteBuf;
import io.raftmq.commitlog.message.StoredMessage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Adds the broker's region to every message of a pull body, on the way out (docs/consumer-protocol.md "Message
 * trace"): the official client's consume-trace hook takes the region of its trace record from the consumed message's
 * {@code MSG_REGION} property and its dispatcher drops a record without one, so a consumer with
 * {@code enableMsgTrace} writes no consume trace for messages that lack it. RocketMQ stores {@code MSG_REGION} (and
 * {@code TRACE_ON}) in every message at send time; RaftMQ adds it to the copy it sends instead, so no stored byte
 * is spent on it (an absent {@code TRACE_ON} counts as on for the hook).
 *
 * <p>Each message is copied with {@code MSG_REGION\u0001<region>\u0002} appended to its properties (the last field
 * of a stored message, docs/protocol.md §3.1), TOTALSIZE and PROPERTIESLENGTH grown to match; a message that already
 * names a region, or whose properties would pass the 2-byte length, is copied unchanged.
 *
 * <p>Ownership: {@link #apply} takes the body it is given (releases it) and returns a new one the caller owns.
 * Threading: immutable; any thread.
 */
public final class RegionStamp {
    /** RocketMQ's default region, also the one the send response names (docs/protocol.md §2.3). */
    public static final String DEFAULT_REGION = "DefaultRegion";
    private static final byte[] KEY = "MSG_REGION\u0001".getBytes(StandardCharsets.UTF_8);
    private static final byte SEPARATOR = 2;

    private final byte[] entry;

    /** @param region the region every pulled message names */
    public RegionStamp(String region) {
        byte[] value = (region + "\u0002").getBytes(StandardCharsets.UTF_8);
        entry = new byte[KEY.length + value.length];
        System.arraycopy(KEY, 0, entry, 0, KEY.length);
        System.arraycopy(value, 0, entry, KEY.length, value.length);
    }

    /** Bytes added to a message (its properties do not end with a separator: one more). */
    public int entryBytes() {
        return entry.length;
    }

    /**
     * The body's messages, each with the region entry (see the class comment); null for null. Releases
     * {@code body}, also when it fails.
     */
    public ByteBuf apply(ByteBuf body) {
        if (body == null) {
            return null;
        }
        ByteBuf out = null;
        try {
            ByteBuffer view = body.nioBuffer();
            StoredMessage m = new StoredMessage();
            int count = 0;
            for (int at = 0; at < view.limit(); at += m.totalSize()) {
                m.wrap(view, at);
                count++;
            }
            out = body.alloc().directBuffer(view.limit() + count * (entry.length + 1));
            for (int at = 0; at < view.limit(); at += m.totalSize()) {
                copyStamped(body, view, m.wrap(view, at), out);
            }
            ByteBuf done = out;
            out = null;
            return done;
        } finally {
            body.release();
            if (out != null) {
                out.release();
            }
        }
    }

    private void copyStamped(ByteBuf body, ByteBuffer view, StoredMessage m, ByteBuf out) {
        int at = m.offset();
        int size = m.totalSize();
        int propsAt = m.propertiesOffset();
        int propsLength = m.propertiesLength();
        boolean separate = propsLength > 0 && view.get(propsAt + propsLength - 1) != SEPARATOR;
        int added = entry.length + (separate ? 1 : 0);
        if (namesRegion(view, propsAt, propsLength) || propsLength + added > Short.MAX_VALUE) {
            out.writeBytes(body, body.readerIndex() + at, size);
            return;
        }
        int start = out.writerIndex();
        out.writeBytes(body, body.readerIndex() + at, size);
        out.setInt(start + StoredMessage.TOTAL_SIZE_OFFSET, size + added);
        out.setShort(start + propsAt - at - Short.BYTES, propsLength + added);
        if (separate) {
            out.writeByte(SEPARATOR);
        }
        out.writeBytes(entry);
    }

    /** Whether the properties already hold a MSG_REGION entry (at their start or after a separator). */
    private static boolean namesRegion(ByteBuffer view, int at, int length) {
        int end = at + length - KEY.length;
        for (int i = at; i <= end; i++) {
            if ((i == at || view.get(i - 1) == SEPARATOR) && startsWithKey(view, i)) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWithKey(ByteBuffer view, int i) {
        for (int k = 0; k < KEY.length; k++) {
            if (view.get(i + k) != KEY[k]) {
                return false;
            }
        }
        return true;
    }
}
