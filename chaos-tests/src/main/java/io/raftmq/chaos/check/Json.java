package io.raftmq.chaos.check;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the chaos suite writes and reads, with no library: a writer for trees of {@link Map} (keys in
 * their map's order), {@link List}, {@link String}, {@link Number}, {@link Boolean} and null, and a reader for the
 * one shape it reads back, a flat object whose values are strings, numbers or null (a history line,
 * {@link HistoryJson}).
 *
 * <p>Stateless helpers; a {@link Reader} is used by one thread.
 */
public final class Json {
    private Json() {
    }

    /** {@code value} as indented JSON text (two spaces per level; scalars and empty containers inline). */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder(256);
        write(b, value, 0);
        return b.append('\n').toString();
    }

    private static void write(StringBuilder b, Object v, int depth) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            quote(b, s);
        } else if (v instanceof Double d) {
            b.append(Double.isFinite(d) ? d.toString() : "null");
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            writeMap(b, m, depth);
        } else if (v instanceof List<?> l) {
            writeList(b, l, depth);
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
        }
    }

    private static void writeMap(StringBuilder b, Map<?, ?> m, int depth) {
        if (m.isEmpty()) {
            b.append("{}");
            return;
        }
        b.append('{');
        String sep = "\n";
        for (Map.Entry<?, ?> e : m.entrySet()) {
            b.append(sep).append("  ".repeat(depth + 1));
            quote(b, String.valueOf(e.getKey()));
            b.append(": ");
            write(b, e.getValue(), depth + 1);
            sep = ",\n";
        }
        b.append('\n').append("  ".repeat(depth)).append('}');
    }

    private static void writeList(StringBuilder b, List<?> l, int depth) {
        if (l.isEmpty()) {
            b.append("[]");
            return;
        }
        b.append('[');
        String sep = "\n";
        for (Object o : l) {
            b.append(sep).append("  ".repeat(depth + 1));
            write(b, o, depth + 1);
            sep = ",\n";
        }
        b.append('\n').append("  ".repeat(depth)).append(']');
    }

    /** Appends {@code s} as a JSON string literal: quote, backslash and control characters escaped. */
    public static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15,
                            16));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** Reads one flat JSON object from a string: values are strings, numbers (as {@link Double}) or null. */
    static final class Reader {
        private final String text;
        private int at;

        Reader(String text) {
            this.text = text;
        }

        /**
         * The object's keys and values in text order; nothing but whitespace may follow it.
         *
         * @throws IllegalArgumentException at the first character that does not fit, with its column
         */
        Map<String, Object> flatObject() {
            Map<String, Object> out = new LinkedHashMap<>();
            expect('{');
            if (peek() == '}') {
                at++;
            } else {
                do {
                    String key = string();
                    expect(':');
                    if (out.put(key, value()) != null) {
                        throw error("duplicate key \"" + key + "\"");
                    }
                } while (next(',', '}') == ',');
            }
            if (peek() != 0) {
                throw error("text after the object");
            }
            return out;
        }

        private Object value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            if (text.startsWith("null", at)) {
                at += 4;
                return null;
            }
            int start = at;
            while (at < text.length() && "+-.0123456789eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            try {
                return Double.valueOf(text.substring(start, at));
            } catch (NumberFormatException e) {
                at = start;
                throw error("a string, a number or null expected");
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                if (at >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(at++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                } else {
                    b.append(escape());
                }
            }
        }

        private char escape() {
            if (at >= text.length()) {
                throw error("unterminated escape");
            }
            char c = text.charAt(at++);
            switch (c) {
                case '"', '\\', '/':
                    return c;
                case 'b':
                    return '\b';
                case 'f':
                    return '\f';
                case 'n':
                    return '\n';
                case 'r':
                    return '\r';
                case 't':
                    return '\t';
                case 'u':
                    if (at + 4 > text.length()) {
                        throw error("short \\u escape");
                    }
                    try {
                        char u = (char) Integer.parseInt(text.substring(at, at + 4), 16);
                        at += 4;
                        return u;
                    } catch (NumberFormatException e) {
                        throw error("bad \\u escape");
                    }
                default:
                    throw error("bad escape \\" + c);
            }
        }

        private char peek() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
            return at < text.length() ? text.charAt(at) : 0;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("'" + c + "' expected");
            }
            at++;
        }

        private char next(char a, char b) {
            char c = peek();
            if (c != a && c != b) {
                throw error("'" + a + "' or '" + b + "' expected");
            }
            at++;
            return c;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at column " + (at + 1));
        }
    }
}
