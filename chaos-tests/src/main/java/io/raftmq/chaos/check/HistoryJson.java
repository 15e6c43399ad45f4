package io.raftmq.chaos.check;

import java.util.Locale;
import java.util.Map;

/**
 * The JSON-lines form of a {@link History}: one flat object per event, one event per line, in recording order.
 *
 * <pre>
 * {"process":"p1","type":"ok","op":"send","value":"m-17","time_ms":1234.567,"detail":"queue=broker-a:3 offset=41"}
 * </pre>
 * Keys always in this order; {@code type} is the lower-case {@link History.Type}; {@code time_ms} is milliseconds
 * from the history's time zero with exactly three decimals (microseconds; negative only for events recorded before
 * time zero); strings are escaped as JSON requires (quote, backslash, control characters as {@code \\uXXXX} or the
 * short escapes). The reader accepts any key order, whitespace between tokens, {@code null} for a string (read as
 * empty) and ignores unknown keys, so a history written by another tool of the same shape reads too.
 *
 * <p>Stateless; thread-safe.
 */
final class HistoryJson {
    private HistoryJson() {
    }

    /** One event as a line (without the line break). */
    static String line(History.Event e, long startNanos) {
        StringBuilder b = new StringBuilder(96 + e.detail().length());
        b.append("{\"process\":");
        Json.quote(b, e.process());
        b.append(",\"type\":\"").append(e.type().name().toLowerCase(Locale.ROOT)).append("\",\"op\":");
        Json.quote(b, e.op());
        b.append(",\"value\":");
        Json.quote(b, e.value());
        b.append(",\"time_ms\":").append(millis(e.nanos() - startNanos)).append(",\"detail\":");
        Json.quote(b, e.detail());
        return b.append('}').toString();
    }

    /** {@code nanos} as milliseconds with exactly three decimals ("12.345", "-0.001"). */
    static String millis(long nanos) {
        long micros = Math.round(nanos / 1e3);
        long abs = Math.abs(micros);
        String frac = Long.toString(1000 + abs % 1000).substring(1);
        return (micros < 0 ? "-" : "") + abs / 1000 + "." + frac;
    }

    /**
     * Parses one line into an event whose {@code nanos} is {@code time_ms} x 10^6 (time zero = 0).
     *
     * @throws IllegalArgumentException naming what is wrong (not an object, a missing key, a bad type)
     */
    static History.Event parse(String line) {
        Map<String, Object> m = new Json.Reader(line).flatObject();
        String type = string(m, "type");
        History.Type t;
        try {
            t = History.Type.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown type \"" + type + "\" (invoke, ok, fail or info)", e);
        }
        Object time = m.get("time_ms");
        if (!(time instanceof Double ms)) {
            throw new IllegalArgumentException("time_ms missing or not a number");
        }
        return new History.Event(string(m, "process"), t, string(m, "op"), orEmpty(m.get("value")),
            Math.round(ms * 1e6), orEmpty(m.get("detail")));
    }

    private static String string(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(key + " missing or not a string");
        }
        return s;
    }

    private static String orEmpty(Object v) {
        if (v != null && !(v instanceof String)) {
            throw new IllegalArgumentException("value and detail must be strings: " + v);
        }
        return v == null ? "" : (String) v;
    }
}
