package io.raftmq.broker.schedule;

import io.raftmq.broker.entry.EntryFormatException;
import io.raftmq.broker.entry.EntryType;

import java.nio.ByteBuffer;

/**
 * Payload of {@link EntryType#TIMER_PROGRESS}: the leader's claim "every parked message due at or before
 * {@code cursorMs} is delivered" (docs/messaging.md "Delay levels and timer messages"), with the number of messages
 * it delivered since its previous claim (a statistic; it does not change state).
 *
 * <pre>
 *  0       1                 9                13
 *  +-------+-----------------+----------------+
 *  | ver=1 | cursorMs (i64)  | delivered (i32)|
 *  +-------+-----------------+----------------+
 *  big-endian; cursorMs &gt;= 0, delivered &gt;= 0; integrity: the commit log record's CRC32C
 * </pre>
 */
public final class TimerProgressCodec {
    public static final byte VERSION = 1;
    public static final int VERSION_OFFSET = 0;
    public static final int CURSOR_OFFSET = 1;
    public static final int DELIVERED_OFFSET = 9;
    public static final int LENGTH = 13;

    static {
        if (LENGTH != DELIVERED_OFFSET + 4 || DELIVERED_OFFSET != CURSOR_OFFSET + 8) {
            throw new IllegalStateException("TimerProgressCodec layout");
        }
    }

    /** A decoded progress entry. */
    public record Progress(long cursorMs, int delivered) {
    }

    private TimerProgressCodec() {
    }

    public static byte[] encode(long cursorMs, int delivered) {
        if (cursorMs < 0 || delivered < 0) {
            throw new IllegalArgumentException("cursorMs and delivered must not be negative: " + cursorMs + ", "
                + delivered);
        }
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.put(VERSION_OFFSET, VERSION).putLong(CURSOR_OFFSET, cursorMs).putInt(DELIVERED_OFFSET, delivered);
        return b.array();
    }

    /** @throws EntryFormatException wrong length, unknown version or a negative field */
    public static Progress decode(byte[] payload) {
        if (payload.length != LENGTH) {
            throw new EntryFormatException("TIMER_PROGRESS payload must be " + LENGTH + " bytes, got "
                + payload.length);
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        if (b.get(VERSION_OFFSET) != VERSION) {
            throw new EntryFormatException("TIMER_PROGRESS version " + b.get(VERSION_OFFSET) + " is unknown");
        }
        long cursor = b.getLong(CURSOR_OFFSET);
        int delivered = b.getInt(DELIVERED_OFFSET);
        if (cursor < 0 || delivered < 0) {
            throw new EntryFormatException("TIMER_PROGRESS fields must not be negative: " + cursor + ", "
                + delivered);
        }
        return new Progress(cursor, delivered);
    }
}
