package io.raftmq.broker.entry;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Big-endian builder of metadata payloads (control plane: grows a byte array). Strings are {@code str16}: an
 * unsigned 16-bit byte length followed by UTF-8 bytes, length {@value #NULL_LENGTH} meaning null. Not thread-safe.
 */
public final class PayloadWriter {
    /** str16 length that encodes a null string. */
    public static final int NULL_LENGTH = 0xFFFF;
    /** Longest string (in UTF-8 bytes) a str16 can carry. */
    public static final int STRING_BYTES_MAX = 0xFFFE;

    private byte[] buf;
    private int pos;

    public PayloadWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    public PayloadWriter u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    public PayloadWriter u16(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    public PayloadWriter i32(int v) {
        ensure(4);
        for (int s = 24; s >= 0; s -= 8) {
            buf[pos++] = (byte) (v >>> s);
        }
        return this;
    }

    public PayloadWriter i64(long v) {
        ensure(8);
        for (int s = 56; s >= 0; s -= 8) {
            buf[pos++] = (byte) (v >>> s);
        }
        return this;
    }

    public PayloadWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    /** Writes a str16. @throws IllegalArgumentException if longer than {@link #STRING_BYTES_MAX} bytes */
    public PayloadWriter str(String s) {
        if (s == null) {
            return u16(NULL_LENGTH);
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > STRING_BYTES_MAX) {
            throw new IllegalArgumentException("string of " + b.length + " bytes exceeds str16");
        }
        u16(b.length);
        return bytes(b);
    }

    /** Raw bytes. */
    public PayloadWriter bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    /** A string map: u16 count, then (str16 key, str16 value) in key order (callers pass sorted maps). */
    public PayloadWriter strMap(Map<String, String> m) {
        if (m.size() > 0xFFFF) {
            throw new IllegalArgumentException("map of " + m.size() + " entries exceeds u16 count");
        }
        u16(m.size());
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(m).entrySet()) {
            str(e.getKey()).str(e.getValue());
        }
        return this;
    }

    /** Current length in bytes. */
    public int length() {
        return pos;
    }

    /** Overwrites the int at {@code at} (for counts known only at the end). */
    public void putI32At(int at, int v) {
        for (int i = 0; i < 4; i++) {
            buf[at + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    /** A copy of the bytes written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }
}
