package io.raftmq.client.protocol.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small pull-style JSON reader over UTF-8 bytes, lenient the way fastjson 1.x is (docs/protocol.md §4.1): unquoted
 * keys ({@code {0:"a"}}, {@code {code:1}}), single-quoted strings, numbers accepted where strings are expected and
 * quoted numbers where numbers are expected, and JSON objects as map keys ({@link #peekObjectName()}).
 *
 * <p>Two layers: a cursor API for hot paths (remoting headers, no tree, no boxing) and {@link #readTree()} for
 * the control plane (bodies), which yields {@link JsonObject}, {@code List<Object>}, {@code String},
 * {@code Long}/{@code Double}, {@code Boolean} or {@code null}.
 *
 * <p>Errors: every malformed input raises {@link JsonParseException}; nesting deeper than {@link #DEPTH_MAX}
 * is rejected so hostile input cannot exhaust the stack. The reader never reads outside
 * {@code [offset, offset + length)}. Not thread-safe.
 *
 * <p>Invariant: {@code start <= pos <= end}; {@code 0 <= depth < DEPTH_MAX}.
 */
public final class JsonReader {
    /** Maximum nesting depth accepted. */
    public static final int DEPTH_MAX = 64;

    /** The kind of the next value. */
    public enum Kind { OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL, END }

    private final byte[] buf;
    private final int start;
    private final int end;
    private int pos;
    private final boolean[] needComma = new boolean[DEPTH_MAX];
    private int depth;
    private StringBuilder scratch;

    /** Reads all of {@code buf}. */
    public JsonReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    /** Reads {@code buf[offset, offset + length)}. */
    public JsonReader(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > buf.length) {
            throw new IllegalArgumentException("region outside the buffer");
        }
        this.buf = buf;
        this.start = offset;
        this.end = offset + length;
        this.pos = offset;
    }

    /** Parses a whole document that must be one value followed only by whitespace. */
    public static Object parse(byte[] json) {
        JsonReader r = new JsonReader(json);
        Object v = r.readTree();
        r.endDocument();
        return v;
    }

    /** Parses a document whose top level must be an object. */
    public static JsonObject parseObject(byte[] json) {
        Object v = parse(json);
        if (!(v instanceof JsonObject o)) {
            throw new JsonParseException("top level is not an object", 0);
        }
        return o;
    }

    /** Fails unless only whitespace remains. */
    public void endDocument() {
        skipWs();
        if (pos != end) {
            throw error("trailing characters");
        }
    }

    private JsonParseException error(String msg) {
        return new JsonParseException(msg, pos - start);
    }

    private void skipWs() {
        while (pos < end) {
            byte c = buf[pos];
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                pos++;
            } else {
                return;
            }
        }
    }

    private int peekByte() {
        skipWs();
        return pos < end ? buf[pos] & 0xFF : -1;
    }

    private void expect(char c) {
        skipWs();
        if (pos >= end || buf[pos] != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    // ----- structure -----

    public void beginObject() {
        open('{');
    }

    public void endObject() {
        close('}');
    }

    public void beginArray() {
        open('[');
    }

    public void endArray() {
        close(']');
    }

    private void open(char c) {
        expect(c);
        needComma[depth] = true;
        if (depth + 1 >= DEPTH_MAX) {
            throw error("nesting deeper than " + DEPTH_MAX);
        }
        depth++;
        needComma[depth] = false;
    }

    private void close(char c) {
        expect(c);
        if (depth == 0) {
            throw error("unbalanced '" + c + "'");
        }
        depth--;
    }

    /** True if the current object/array has another element; consumes the separating comma. */
    public boolean hasNext() {
        int c = peekByte();
        if (c == '}' || c == ']' || c < 0) {
            return false;
        }
        if (needComma[depth]) {
            expect(',');
            needComma[depth] = false;
            c = peekByte();
            if (c == '}' || c == ']' || c < 0) {
                throw error("expected a value after ','");
            }
        }
        return true;
    }

    /** Whether the next key is a JSON object (then: beginObject ... endObject, {@link #nameSeparator()}). */
    public boolean peekObjectName() {
        return peekByte() == '{';
    }

    /** Consumes the ':' after an object key. */
    public void nameSeparator() {
        expect(':');
        needComma[depth] = false;
    }

    /** Reads a key (quoted, single-quoted or bare) and its ':'. */
    public String nextName() {
        int c = peekByte();
        String name;
        if (c == '"' || c == '\'') {
            name = readQuoted((byte) c);
        } else {
            int s = pos;
            while (pos < end && isBareChar(buf[pos])) {
                pos++;
            }
            if (pos == s) {
                throw error("expected a key");
            }
            name = new String(buf, s, pos - s, StandardCharsets.ISO_8859_1);
        }
        expect(':');
        return name;
    }

    private static boolean isBareChar(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
                || b == '_' || b == '$' || b == '-' || b == '.' || b == '+';
    }

    /** The kind of the next value. */
    public Kind peek() {
        int c = peekByte();
        switch (c) {
            case -1: return Kind.END;
            case '{': return Kind.OBJECT;
            case '[': return Kind.ARRAY;
            case '"': case '\'': return Kind.STRING;
            case 't': case 'f': return Kind.BOOLEAN;
            case 'n': return Kind.NULL;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return Kind.NUMBER;
                }
                throw error("unexpected character 0x" + Integer.toHexString(c));
        }
    }

    // ----- scalars -----

    /** A string; numbers and booleans are returned as their text, {@code null} as null (fastjson leniency). */
    public String nextString() {
        Kind k = peek();
        needComma[depth] = true;
        switch (k) {
            case STRING: return readQuoted(buf[pos]);
            case NUMBER: return numberText();
            case BOOLEAN: return readBoolean() ? "true" : "false";
            case NULL: readLiteral("null"); return null;
            default: throw error("expected a string");
        }
    }

    /** A long from a number or a quoted number. */
    public long nextLong() {
        Kind k = peek();
        needComma[depth] = true;
        if (k == Kind.NUMBER) {
            return parseLongToken();
        }
        if (k == Kind.STRING) {
            String s = readQuoted(buf[pos]);
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw error("not a long: " + s);
            }
        }
        throw error("expected a number");
    }

    /** An int from a number or a quoted number. */
    public int nextInt() {
        long v = nextLong();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw error("int out of range");
        }
        return (int) v;
    }

    /** A double from a number or a quoted number. */
    public double nextDouble() {
        String s = nextString();
        if (s == null) {
            throw error("expected a number");
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw error("not a number: " + s);
        }
    }

    /** A boolean from {@code true}/{@code false} or their quoted forms. */
    public boolean nextBoolean() {
        Kind k = peek();
        needComma[depth] = true;
        if (k == Kind.BOOLEAN) {
            return readBoolean();
        }
        if (k == Kind.STRING) {
            return Boolean.parseBoolean(readQuoted(buf[pos]));
        }
        throw error("expected a boolean");
    }

    /** Consumes a {@code null} if one is next; returns whether it did. */
    public boolean nextNullIf() {
        if (peek() == Kind.NULL) {
            readLiteral("null");
            needComma[depth] = true;
            return true;
        }
        return false;
    }

    /** Skips the next value whatever it is. */
    public void skipValue() {
        readTree();
    }

    private boolean readBoolean() {
        if (buf[pos] == 't') {
            readLiteral("true");
            return true;
        }
        readLiteral("false");
        return false;
    }

    private void readLiteral(String lit) {
        int n = lit.length();
        if (end - pos < n) {
            throw error("truncated literal");
        }
        for (int i = 0; i < n; i++) {
            if (buf[pos + i] != lit.charAt(i)) {
                throw error("bad literal");
            }
        }
        pos += n;
    }

    private int numberEnd() {
        int p = pos;
        while (p < end) {
            byte b = buf[p];
            if ((b >= '0' && b <= '9') || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E') {
                p++;
            } else {
                break;
            }
        }
        return p;
    }

    private String numberText() {
        int e = numberEnd();
        String s = new String(buf, pos, e - pos, StandardCharsets.ISO_8859_1);
        pos = e;
        return s;
    }

    private long parseLongToken() {
        int e = numberEnd();
        int p = pos;
        boolean neg = buf[p] == '-';
        if (neg) {
            p++;
        }
        if (p == e) {
            throw error("bad number");
        }
        long v = 0;
        for (; p < e; p++) {
            int d = buf[p] - '0';
            if (d < 0 || d > 9) {
                throw error("not an integer");
            }
            if (v < (Long.MIN_VALUE + d) / 10) {
                throw error("long overflow");
            }
            v = v * 10 - d;
        }
        if (!neg && v == Long.MIN_VALUE) {
            throw error("long overflow");
        }
        pos = e;
        return neg ? v : -v;
    }

    private String readQuoted(byte quote) {
        pos++;
        int s = pos;
        boolean ascii = true;
        while (pos < end) {
            byte b = buf[pos];
            if (b == quote) {
                String str = new String(buf, s, pos - s,
                        ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
                pos++;
                return str;
            }
            if (b == '\\') {
                return readEscaped(quote, s);
            }
            ascii &= b >= 0;
            pos++;
        }
        throw error("unterminated string");
    }

    private String readEscaped(byte quote, int s) {
        StringBuilder sb = scratch == null ? (scratch = new StringBuilder(64)) : scratch;
        sb.setLength(0);
        int run = s;
        while (pos < end) {
            byte b = buf[pos];
            if (b == quote) {
                sb.append(new String(buf, run, pos - run, StandardCharsets.UTF_8));
                pos++;
                return sb.toString();
            }
            if (b == '\\') {
                sb.append(new String(buf, run, pos - run, StandardCharsets.UTF_8));
                pos++;
                sb.append(unescape());
                run = pos;
            } else {
                pos++;
            }
        }
        throw error("unterminated string");
    }

    private char unescape() {
        if (pos >= end) {
            throw error("truncated escape");
        }
        byte e = buf[pos++];
        switch (e) {
            case '"': return '"';
            case '\'': return '\'';
            case '\\': return '\\';
            case '/': return '/';
            case 'b': return '\b';
            case 'f': return '\f';
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'u': return hex4();
            default: throw error("bad escape");
        }
    }

    private char hex4() {
        if (end - pos < 4) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(buf[pos++], 16);
            if (d < 0) {
                throw error("bad \\u escape");
            }
            v = (v << 4) | d;
        }
        return (char) v;
    }

    // ----- tree -----

    /** Reads the next value as a tree (control plane). */
    public Object readTree() {
        Kind k = peek();
        switch (k) {
            case OBJECT: return readObjectTree();
            case ARRAY: return readArrayTree();
            case NUMBER: {
                needComma[depth] = true;
                String t = numberText();
                return toNumber(t);
            }
            case END: throw error("unexpected end of input");
            default: return nextScalar(k);
        }
    }

    private Object nextScalar(Kind k) {
        if (k == Kind.BOOLEAN) {
            return nextBoolean();
        }
        return nextString();
    }

    private Object toNumber(String t) {
        try {
            if (t.indexOf('.') < 0 && t.indexOf('e') < 0 && t.indexOf('E') < 0) {
                return Long.parseLong(t);
            }
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            try {
                return Double.parseDouble(t);
            } catch (NumberFormatException e2) {
                throw error("bad number " + t);
            }
        }
    }

    private JsonObject readObjectTree() {
        beginObject();
        JsonObject o = new JsonObject();
        while (hasNext()) {
            Object key;
            if (peekObjectName()) {
                key = readObjectTree();
                nameSeparator();
            } else {
                key = nextName();
            }
            o.put(key, readTree());
        }
        endObject();
        return o;
    }

    private List<Object> readArrayTree() {
        beginArray();
        List<Object> list = new ArrayList<>();
        while (hasNext()) {
            list.add(readTree());
        }
        endArray();
        return list;
    }
}
