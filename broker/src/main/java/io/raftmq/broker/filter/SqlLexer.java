package io.raftmq.broker.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Splits a SQL92 filter expression into tokens for {@link SqlParser}: identifiers (letters, digits, '_', '.', '$';
 * not starting with a digit), keywords (identifiers such as AND or BETWEEN, any case, returned upper-cased), string
 * literals in single quotes ('' inside is one quote), numbers (an optional sign, digits, an optional fraction and
 * exponent: integral ones become {@link Long}, others {@link Double}), operators (= <> != > >= < <=) and
 * punctuation ( ) ,.
 */
final class SqlLexer {
    /** Token kinds. */
    enum Kind { IDENT, KEYWORD, STRING, NUMBER, OP, LPAREN, RPAREN, COMMA, END }

    /** One token: its kind, text (keywords upper-cased), value (literals) and position in the expression. */
    record Token(Kind kind, String text, Object value, int position) {
        boolean is(Kind k, String t) {
            return kind == k && text.equals(t);
        }
    }

    static final Set<String> KEYWORDS = Set.of("AND", "OR", "NOT", "BETWEEN", "IN", "IS", "NULL", "TRUE", "FALSE",
        "CONTAINS", "STARTSWITH", "ENDSWITH");

    private final String text;
    private int at;

    private SqlLexer(String text) {
        this.text = text;
    }

    /** The tokens of {@code expression}, ending with an END token. */
    static List<Token> tokenize(String expression) throws SqlFilterException {
        SqlLexer lexer = new SqlLexer(expression);
        List<Token> out = new ArrayList<>();
        Token t;
        do {
            t = lexer.next();
            out.add(t);
        } while (t.kind() != Kind.END);
        return out;
    }

    private Token next() throws SqlFilterException {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
        int start = at;
        if (at == text.length()) {
            return new Token(Kind.END, "end of expression", null, start);
        }
        char c = text.charAt(at);
        if (c == '\'') {
            return string(start);
        }
        if ((c == '-' || c == '+') && at + 1 < text.length() && Character.isDigit(text.charAt(at + 1))) {
            at++; // a signed number (the grammar has no arithmetic)
            return number(start);
        }
        if (Character.isDigit(c) || (c == '.' && at + 1 < text.length() && Character.isDigit(text.charAt(at + 1)))) {
            return number(start);
        }
        if (Character.isLetter(c) || c == '_' || c == '$') {
            while (at < text.length() && isIdentifierPart(text.charAt(at))) {
                at++;
            }
            String word = text.substring(start, at);
            String upper = word.toUpperCase(Locale.ROOT);
            return KEYWORDS.contains(upper) ? new Token(Kind.KEYWORD, upper, null, start)
                : new Token(Kind.IDENT, word, null, start);
        }
        return punctuation(c, start);
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '$';
    }

    private Token punctuation(char c, int start) throws SqlFilterException {
        at++;
        switch (c) {
            case '(':
                return new Token(Kind.LPAREN, "(", null, start);
            case ')':
                return new Token(Kind.RPAREN, ")", null, start);
            case ',':
                return new Token(Kind.COMMA, ",", null, start);
            case '=':
                return new Token(Kind.OP, "=", null, start);
            case '>':
            case '<':
                if (at < text.length() && (text.charAt(at) == '=' || (c == '<' && text.charAt(at) == '>'))) {
                    at++;
                }
                return new Token(Kind.OP, text.substring(start, at), null, start);
            case '!':
                if (at < text.length() && text.charAt(at) == '=') {
                    at++;
                    return new Token(Kind.OP, "<>", null, start);
                }
                break;
            default:
                break;
        }
        throw new SqlFilterException("unexpected character '" + c + "'", start);
    }

    private Token string(int start) throws SqlFilterException {
        StringBuilder sb = new StringBuilder();
        at++;
        while (true) {
            if (at >= text.length()) {
                throw new SqlFilterException("unterminated string literal", start);
            }
            char c = text.charAt(at++);
            if (c == '\'') {
                if (at < text.length() && text.charAt(at) == '\'') {
                    sb.append('\'');
                    at++;
                    continue;
                }
                return new Token(Kind.STRING, sb.toString(), sb.toString(), start);
            }
            sb.append(c);
        }
    }

    private Token number(int start) throws SqlFilterException {
        boolean decimal = false;
        while (at < text.length()) {
            char c = text.charAt(at);
            if (Character.isDigit(c)) {
                at++;
            } else if (c == '.' || c == 'e' || c == 'E') {
                decimal = true;
                at++;
                boolean exponent = c == 'e' || c == 'E';
                if (exponent && at < text.length() && (text.charAt(at) == '-' || text.charAt(at) == '+')) {
                    at++;
                }
            } else {
                break;
            }
        }
        String s = text.substring(start, at);
        try {
            Object value = decimal ? (Object) Double.valueOf(s) : (Object) Long.valueOf(s);
            return new Token(Kind.NUMBER, s, value, start);
        } catch (NumberFormatException e) {
            throw new SqlFilterException("malformed number '" + s + "'", start);
        }
    }
}
