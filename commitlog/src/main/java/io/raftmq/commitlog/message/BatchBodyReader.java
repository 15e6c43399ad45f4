package io.raftmq.commitlog.message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Iterates the inner messages of a SEND_BATCH_MESSAGE body (docs/protocol.md §3.6, vector 10). Reusable flyweight:
 * {@link #reset} then {@link #next()} until it returns false; accessors describe the current inner message.
 *
 * <pre>
 * +-----------------------------------------------+
 * |  0 TOTALSIZE = 20 + bodyLen + 2 + propsLen     |
 * |  4 MAGICCODE (0 from the client, not checked)  |
 * |  8 BODYCRC   (0 from the client, not checked)  |
 * | 12 FLAG                                        |
 * | 16 BODYLENGTH (4) + BODY                       |
 * |  . PROPERTIESLENGTH (2, signed) + PROPERTIES   |
 * +-----------------------------------------------+
 * </pre>
 * All inner messages share the request's topic; each carries its own properties (UNIQ_KEY, TAGS, KEYS).
 */
public final class BatchBodyReader {
    public static final int TOTAL_SIZE_OFFSET = 0;
    public static final int FLAG_OFFSET = 12;
    public static final int BODY_LENGTH_OFFSET = 16;
    /** Bytes of an inner message without body and properties bytes. */
    public static final int FIXED_LENGTH = 22;

    private ByteBuffer buffer;
    private int next;
    private int end;
    private int current;
    private int bodyLength;
    private int propertiesLength;

    /** Starts iterating {@code buffer[offset, offset + length)} (absolute, big-endian). */
    public BatchBodyReader reset(ByteBuffer buffer, int offset, int length) {
        this.buffer = buffer;
        this.next = offset;
        this.end = offset + length;
        this.current = -1;
        return this;
    }

    /**
     * Advances to the next inner message.
     *
     * @return false when the body is exhausted
     * @throws MessageFormatException if an inner message is truncated or its sizes disagree
     */
    public boolean next() {
        if (next == end) {
            return false;
        }
        if (end - next < FIXED_LENGTH) {
            throw new MessageFormatException("batch body truncated: " + (end - next) + " bytes left");
        }
        int totalSize = buffer.getInt(next + TOTAL_SIZE_OFFSET);
        int body = buffer.getInt(next + BODY_LENGTH_OFFSET);
        if (body < 0 || totalSize < FIXED_LENGTH || totalSize > end - next || body > totalSize - FIXED_LENGTH) {
            throw new MessageFormatException("batch message sizes disagree: total " + totalSize + ", body " + body);
        }
        int properties = buffer.getShort(next + BODY_LENGTH_OFFSET + 4 + body);
        if (properties < 0 || FIXED_LENGTH + body + properties != totalSize) {
            throw new MessageFormatException("batch message TOTALSIZE " + totalSize + " != 22 + " + body + " + "
                    + properties);
        }
        current = next;
        bodyLength = body;
        propertiesLength = properties;
        next += totalSize;
        return true;
    }

    public int flag() {
        return buffer.getInt(current + FLAG_OFFSET);
    }

    /** Absolute offset of the current body. */
    public int bodyOffset() {
        return current + BODY_LENGTH_OFFSET + 4;
    }

    public int bodyLength() {
        return bodyLength;
    }

    /** Absolute offset of the current properties bytes (UTF-8). */
    public int propertiesOffset() {
        return bodyOffset() + bodyLength + 2;
    }

    public int propertiesLength() {
        return propertiesLength;
    }

    /** A view of the current body (position 0, shares content). */
    public ByteBuffer bodySlice() {
        return buffer.slice(bodyOffset(), bodyLength);
    }

    /** The current properties string (allocates). */
    public String properties() {
        byte[] bytes = new byte[propertiesLength];
        buffer.get(propertiesOffset(), bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A copy of the current properties bytes (UTF-8). */
    public byte[] propertiesBytes() {
        byte[] bytes = new byte[propertiesLength];
        buffer.get(propertiesOffset(), bytes);
        return bytes;
    }
}
