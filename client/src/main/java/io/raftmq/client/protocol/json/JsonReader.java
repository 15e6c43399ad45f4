package io.raftmq.client.protocol.json;

/**
 * A small pull-style JSON reader over UTF-8 bytes, lenient the way fastjson 1.x is (docs/protocol.md §4.1): unquoted
 * keys ({@code {0:"a"}}, {@code {code:1}}), single-quoted strings, numbers accepted where strings are expected and
 * quoted numbers where numbers are expected, and JSON objects as map keys ({@link #peekObjectName()}).
 *
 * <p>Two layers: a cursor API for hot paths (remoting headers, no tree, no boxing) and {@link #readTree()} for
 * the control plane (bodies), which yields {@link JsonObject}, {@code List<Object>}, {@code String},
 * {@code Long}/{@code Double}, {@code Boolean} or {@code null}. This class holds the cursor API and the nesting
 * state (depth, commas); tokens come from {@link JsonLexer} (its base class) and trees from {@link JsonTreeBuilder}.
 *
 * <p>Errors: every malformed input raises {@link JsonParseException}; nesting deeper than {@link #DEPTH_MAX}
 * is rejected so hostile input cannot exhaust the stack. The reader never reads outside
 * {@code [offset, offset + length)}. Not thread-safe.
 *
 * <p>Invariant: {@code 0 <= depth < DEPTH_MAX}.
 */
public final class JsonReader extends JsonLexer {
    /** Maximum nesting depth accepted. */
    public static final int DEPTH_MAX = 64;

    /** The kind of the next value. */
    public enum Kind { OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL, END }

    private final boolean[] needComma = new boolean[DEPTH_MAX];
    private int depth;

    /** Reads all of {@code buf}. */
    public JsonReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    /** Reads {@code buf[offset, offset + length)}. */
    public JsonReader(byte[] buf, int offset, int length) {
        super(buf, offset, length);
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
        if (!atEnd()) {
            throw error("trailing characters");
        }
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
        String name = c == '"' || c == '\'' ? readQuoted() : readBareName();
        expect(':');
        return name;
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
            case STRING: return readQuoted();
            case NUMBER: return readNumberText();
            case BOOLEAN: return readBoolean() ? "true" : "false";
            case NULL: readLiteral("null"); return null;
            default: throw error("expected a string");
        }
    }

    /** The text of the next value, which {@link #peek()} has found to be a number (for {@link JsonTreeBuilder}). */
    String nextNumberText() {
        needComma[depth] = true;
        return readNumberText();
    }

    /** A long from a number or a quoted number. */
    public long nextLong() {
        Kind k = peek();
        needComma[depth] = true;
        if (k == Kind.NUMBER) {
            return readLong();
        }
        if (k == Kind.STRING) {
            String s = readQuoted();
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
            return Boolean.parseBoolean(readQuoted());
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

    // ----- tree -----

    /** Reads the next value as a tree (control plane). */
    public Object readTree() {
        return JsonTreeBuilder.read(this);
    }
}
