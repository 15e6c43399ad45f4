package io.raftmq.broker.schedule;

import io.raftmq.broker.entry.EntryFormatException;
import io.raftmq.broker.entry.EntryType;

import java.nio.ByteBuffer;

/**
 * Payload of {@link EntryType#TIMER_PROGRESS}: the leader's claim "every parked message due at or before
 * {@code cursorMs} is delivered" (docs/messaging.md "Delay levels and timer messages"), with the number of parked
 * messages applied on the leader when it read the index ({@code parkedSeen}): if more were parked by the time the
 * entry applies, the leader may not have seen them and the cursor is capped below their due times.
 *
 * <pre>
 *  0       1                 9                    17
 *  +-------+-----------------+--------------------+
 *  | ver=1 | cursorMs (i64)  | parkedSeen (i64)   |
 *  +-------+-----------------+--------------------+
 *  big-endian; cursorMs &gt;= 0, parkedSeen &gt;= 0; integrity: the commit log record's CRC32C
 * </pre>
 */
public final class TimerProgressCodec {
    public static final byte VERSION = 1;
    public static final int VERSION_OFFSET = 0;
    public static final int CURSOR_OFFSET = 1;
    public static final int PARKED_SEEN_OFFSET = 9;
    public static final int LENGTH = 17;

    static {
        if (LENGTH != PARKED_SEEN_OFFSET + 8 || PARKED_SEEN_OFFSET != CURSOR_OFFSET + 8) {
            throw new IllegalStateException("TimerProgressCodec layout");
        }
    }

    /** A decoded progress entry. */
    public record Progress(long cursorMs, long parkedSeen) {
    }

    private TimerProgressCodec() {
    }

    public static byte[] encode(long cursorMs, long parkedSeen) {
        if (cursorMs < 0 || parkedSeen < 0) {
            throw new IllegalArgumentException("cursorMs and parkedSeen must not be negative: " + cursorMs + ", "
                + parkedSeen);
        }
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.put(VERSION_OFFSET, VERSION).putLong(CURSOR_OFFSET, cursorMs).putLong(PARKED_SEEN_OFFSET, parkedSeen);
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
        long parkedSeen = b.getLong(PARKED_SEEN_OFFSET);
        if (cursor < 0 || parkedSeen < 0) {
            throw new EntryFormatException("TIMER_PROGRESS fields must not be negative: " + cursor + ", "
                + parkedSeen);
        }
        return new Progress(cursor, parkedSeen);
    }
}
