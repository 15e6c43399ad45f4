package io.raftmq.broker.entry;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Big-endian reader of metadata payloads written by {@link PayloadWriter}. Every read checks the remaining length
 * and throws {@link EntryFormatException} (never an index error) on truncated or malformed input.
 */
public final class PayloadReader {
    private final byte[] buf;
    private final String what;
    private int pos;

    public PayloadReader(byte[] buf, String what) {
        this.buf = buf;
        this.what = what;
    }

    private void need(int n) {
        if (n < 0 || buf.length - pos < n) {
            throw new EntryFormatException(what + ": truncated at byte " + pos + " (need " + n + ", have "
                    + (buf.length - pos) + ")");
        }
    }

    public int u8() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    public int u16() {
        need(2);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    public int i32() {
        need(4);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    public long i64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    public boolean bool() {
        int v = u8();
        if (v > 1) {
            throw new EntryFormatException(what + ": boolean byte " + v + " at " + (pos - 1));
        }
        return v == 1;
    }

    public String str() {
        int len = u16();
        if (len == PayloadWriter.NULL_LENGTH) {
            return null;
        }
        need(len);
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    /** A non-null str16. */
    public String strNonNull(String field) {
        String s = str();
        if (s == null) {
            throw new EntryFormatException(what + ": " + field + " must not be null");
        }
        return s;
    }

    public byte[] bytes(int n) {
        need(n);
        byte[] b = new byte[n];
        System.arraycopy(buf, pos, b, 0, n);
        pos += n;
        return b;
    }

    public Map<String, String> strMap() {
        int n = u16();
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            m.put(strNonNull("map key"), strNonNull("map value"));
        }
        return m;
    }

    /** Reads and checks the version byte. */
    public void version(byte expected) {
        int v = u8();
        if (v != expected) {
            throw new EntryFormatException(what + ": unknown format version " + v + " (expected " + expected + ")");
        }
    }

    /** A count that must be in {@code [0, max]}. */
    public int count(int max) {
        int n = i32();
        if (n < 0 || n > max) {
            throw new EntryFormatException(what + ": count " + n + " out of [0, " + max + "]");
        }
        return n;
    }

    /** Fails unless every byte was consumed. */
    public void end() {
        if (pos != buf.length) {
            throw new EntryFormatException(what + ": " + (buf.length - pos) + " trailing bytes at " + pos);
        }
    }

    public int position() {
        return pos;
    }
}
