package io.raftmq.client.protocol.json;

import java.nio.charset.StandardCharsets;

/**
 * The byte-level lexer under {@link JsonReader}: it owns the region {@code [start, end)} of a UTF-8 buffer and the
 * position in it, skips whitespace and consumes one token at a time — punctuation, the literals {@code true},
 * {@code false} and {@code null}, bare keys, number text, integers and quoted strings with their escapes — with
 * the fastjson 1.x leniency of docs/protocol.md §4.1 (single quotes, bare keys). It knows nothing of nesting;
 * {@link JsonReader} tracks that. The reader extends the lexer rather than holding one so that the hot path
 * (remoting headers) stays one object with no extra indirection.
 *
 * <p>Errors are {@link JsonParseException}s positioned relative to {@code start}. The lexer never reads outside
 * its region. Not thread-safe.
 *
 * <p>Invariant: {@code start <= pos <= end}.
 */
abstract class JsonLexer {
    private final byte[] buf;
    private final int start;
    private final int end;
    private int pos;
    private StringBuilder scratch;

    /** Lexes {@code buf[offset, offset + length)}. */
    JsonLexer(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > buf.length) {
            throw new IllegalArgumentException("region outside the buffer");
        }
        this.buf = buf;
        this.start = offset;
        this.end = offset + length;
        this.pos = offset;
    }

    /** An error at the current position. */
    final JsonParseException error(String msg) {
        return new JsonParseException(msg, pos - start);
    }

    /** Whether the whole region has been consumed. */
    final boolean atEnd() {
        return pos == end;
    }

    final void skipWs() {
        while (pos < end) {
            byte c = buf[pos];
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                pos++;
            } else {
                return;
            }
        }
    }

    /** Skips whitespace and returns the next byte (0..255) without consuming it, or -1 at the end. */
    final int peekByte() {
        skipWs();
        return pos < end ? buf[pos] & 0xFF : -1;
    }

    /** Skips whitespace and consumes {@code c}, or fails. */
    final void expect(char c) {
        skipWs();
        if (pos >= end || buf[pos] != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    // ----- keys and literals -----

    /** Reads a bare (unquoted) key such as {@code code} or {@code 0}; fails if there is none. */
    final String readBareName() {
        int s = pos;
        while (pos < end && isBareChar(buf[pos])) {
            pos++;
        }
        if (pos == s) {
            throw error("expected a key");
        }
        return new String(buf, s, pos - s, StandardCharsets.ISO_8859_1);
    }

    private static boolean isBareChar(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
                || b == '_' || b == '$' || b == '-' || b == '.' || b == '+';
    }

    /** Reads {@code true} or {@code false}; the current byte is a {@code 't'} or an {@code 'f'}. */
    final boolean readBoolean() {
        if (buf[pos] == 't') {
            readLiteral("true");
            return true;
        }
        readLiteral("false");
        return false;
    }

    /** Consumes exactly {@code lit} or fails. */
    final void readLiteral(String lit) {
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

    // ----- numbers -----

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

    /** Consumes the run of number characters at the position and returns it as text, unchecked. */
    final String readNumberText() {
        int e = numberEnd();
        String s = new String(buf, pos, e - pos, StandardCharsets.ISO_8859_1);
        pos = e;
        return s;
    }

    /** Consumes a number token that must be an integer within the range of a long. */
    final long readLong() {
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

    // ----- strings -----

    /** Reads a string quoted by the current byte ({@code "} or {@code '}), decoding its escapes. */
    final String readQuoted() {
        byte quote = buf[pos];
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
}
