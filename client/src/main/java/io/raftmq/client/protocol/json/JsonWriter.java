package io.raftmq.client.protocol.json;

import io.raftmq.client.Verify;

/**
 * A small streaming JSON writer producing fastjson-1.x-compatible text into a reusable {@link StringBuilder}.
 * Callers write fields in the order fastjson would (alphabetical bean properties; maps in their iteration order)
 * and skip nulls themselves ({@code field(name, (String) null)} writes nothing, like fastjson).
 *
 * <p>Extensions beyond standard JSON, both emitted by the Java RocketMQ servers (docs/protocol.md §4.1): bare numeric
 * keys ({@code {0:"addr"}}, see {@link #name(long, boolean)}) and JSON objects as keys ({@link #beginObjectName()}).
 * Strings are escaped like fastjson: {@code \" \\ \b \f \n \r \t}, other control chars as {@code \}{@code u00XX};
 * non-ASCII is written as is (UTF-8 once encoded). Not thread-safe; reuse with {@link #reset()}.
 *
 * <p>Invariant: {@code 0 <= depth < DEPTH_MAX}; {@code afterName} implies the next token is a value.
 */
public final class JsonWriter {
    /** Maximum nesting depth. */
    public static final int DEPTH_MAX = 64;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out;
    private final boolean[] hasElement = new boolean[DEPTH_MAX];
    private int depth;
    private boolean afterName;

    /** A writer with its own builder. */
    public JsonWriter() {
        this(new StringBuilder(256));
    }

    /** A writer appending to {@code out}. */
    public JsonWriter(StringBuilder out) {
        this.out = out;
    }

    /** Clears the output and the nesting state for reuse. */
    public JsonWriter reset() {
        out.setLength(0);
        depth = 0;
        afterName = false;
        hasElement[0] = false;
        return this;
    }

    /** The text written so far (no copy). */
    public StringBuilder buffer() {
        return out;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void beforeToken() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (hasElement[depth]) {
            out.append(',');
        }
        hasElement[depth] = true;
    }

    private void push(char c) {
        beforeToken();
        out.append(c);
        Verify.state(depth + 1 < DEPTH_MAX, "JSON nesting too deep", depth);
        depth++;
        hasElement[depth] = false;
    }

    private void pop(char c) {
        Verify.state(depth > 0 && !afterName, "unbalanced JSON end", depth);
        out.append(c);
        depth--;
    }

    public JsonWriter beginObject() {
        push('{');
        return this;
    }

    public JsonWriter endObject() {
        pop('}');
        return this;
    }

    public JsonWriter beginArray() {
        push('[');
        return this;
    }

    public JsonWriter endArray() {
        pop(']');
        return this;
    }

    /** Writes a quoted key and the colon. */
    public JsonWriter name(String name) {
        Verify.state(!afterName, "JSON name after name");
        beforeToken();
        writeString(name);
        out.append(':');
        afterName = true;
        return this;
    }

    /** Writes a numeric key: bare ({@code 0:}) like plain fastjson, or quoted ({@code "0":}) for standard JSON. */
    public JsonWriter name(long name, boolean quoted) {
        Verify.state(!afterName, "JSON name after name");
        beforeToken();
        if (quoted) {
            out.append('"').append(name).append('"');
        } else {
            out.append(name);
        }
        out.append(':');
        afterName = true;
        return this;
    }

    /** Begins an object used as a map key (fastjson's Map&lt;MessageQueue,X&gt; form). */
    public JsonWriter beginObjectName() {
        Verify.state(!afterName, "JSON name after name");
        return beginObject();
    }

    /** Ends an object key and writes the colon; a value must follow. */
    public JsonWriter endObjectName() {
        endObject();
        out.append(':');
        afterName = true;
        return this;
    }

    public JsonWriter value(String s) {
        beforeToken();
        if (s == null) {
            out.append("null");
        } else {
            writeString(s);
        }
        return this;
    }

    public JsonWriter value(long v) {
        beforeToken();
        out.append(v);
        return this;
    }

    public JsonWriter value(boolean v) {
        beforeToken();
        out.append(v);
        return this;
    }

    /** Writes a double like fastjson ({@code 1.5}, {@code 0.0}); NaN/infinite become {@code null}. */
    public JsonWriter value(double v) {
        beforeToken();
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            out.append("null");
        } else {
            out.append(v);
        }
        return this;
    }

    public JsonWriter nullValue() {
        beforeToken();
        out.append("null");
        return this;
    }

    /** Pre-encoded JSON text inserted as one value. The caller guarantees it is valid JSON. */
    public JsonWriter rawValue(CharSequence json) {
        beforeToken();
        out.append(json);
        return this;
    }

    /** {@code "name":"value"}, or nothing if {@code value} is null (fastjson omits nulls). */
    public JsonWriter field(String name, String value) {
        return value == null ? this : name(name).value(value);
    }

    public JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, double value) {
        return name(name).value(value);
    }

    /** {@code "name":"ENUM_NAME"}, or nothing if null. */
    public JsonWriter field(String name, Enum<?> value) {
        return value == null ? this : name(name).value(value.name());
    }

    private void writeString(String s) {
        out.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                out.append(c);
            } else {
                escape(c);
            }
        }
        out.append('"');
    }

    private void escape(char c) {
        switch (c) {
            case '"' -> out.append("\\\"");
            case '\\' -> out.append("\\\\");
            case '\b' -> out.append("\\b");
            case '\f' -> out.append("\\f");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> out.append("\\u00").append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
        }
    }
}
