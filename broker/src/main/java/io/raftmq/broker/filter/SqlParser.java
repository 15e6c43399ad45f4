package io.raftmq.broker.filter;

import io.raftmq.broker.filter.SqlLexer.Kind;
import io.raftmq.broker.filter.SqlLexer.Token;

import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent parser of RocketMQ's SQL92 filter subset (docs/consumer-protocol.md "SQL92 filters") into
 * {@link SqlNode}s. Grammar (keywords in any case):
 * <pre>
 *  expr      := and (OR and)*
 *  and       := not (AND not)*
 *  not       := NOT not | primary
 *  primary   := '(' expr ')' | TRUE | FALSE | operand [tail]     (a bare property: its value "true"/"false")
 *  tail      := ('=' | '<>' | '!=' | '>' | '>=' | '<' | '<=') operand
 *             | [NOT] BETWEEN operand AND operand
 *             | [NOT] IN '(' string (',' string)* ')'
 *             | IS [NOT] NULL
 *             | [NOT] (CONTAINS | STARTSWITH | ENDSWITH) string
 *  operand   := identifier | string | number | TRUE | FALSE
 * </pre>
 * Checks made here, as RocketMQ's compiler makes them: ordering comparisons and BETWEEN take numbers (a string or
 * boolean literal there is refused), BETWEEN's bounds must be ordered, IN and the text matches need a property on
 * the left, and the whole expression must be a condition.
 */
final class SqlParser {
    private final List<Token> tokens;
    private int at;

    private SqlParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** Compiles {@code expression}; throws with the position of the first problem. */
    static SqlNode parse(String expression) throws SqlFilterException {
        SqlParser p = new SqlParser(SqlLexer.tokenize(expression));
        SqlNode node = p.or();
        Token t = p.peek();
        if (t.kind() != Kind.END) {
            throw new SqlFilterException("unexpected '" + t.text() + "'", t.position());
        }
        return node;
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token take() {
        return tokens.get(at++);
    }

    private boolean accept(Kind kind, String text) {
        if (peek().is(kind, text)) {
            at++;
            return true;
        }
        return false;
    }

    private Token expect(Kind kind, String what) throws SqlFilterException {
        Token t = take();
        if (t.kind() != kind) {
            throw new SqlFilterException("expected " + what + " but found '" + t.text() + "'", t.position());
        }
        return t;
    }

    private void expectKeyword(String keyword) throws SqlFilterException {
        Token t = take();
        if (!t.is(Kind.KEYWORD, keyword)) {
            throw new SqlFilterException("expected " + keyword + " but found '" + t.text() + "'", t.position());
        }
    }

    private SqlNode or() throws SqlFilterException {
        SqlNode left = and();
        while (accept(Kind.KEYWORD, "OR")) {
            left = new SqlNode.Or(left, and());
        }
        return left;
    }

    private SqlNode and() throws SqlFilterException {
        SqlNode left = not();
        while (accept(Kind.KEYWORD, "AND")) {
            left = new SqlNode.And(left, not());
        }
        return left;
    }

    private SqlNode not() throws SqlFilterException {
        if (accept(Kind.KEYWORD, "NOT")) {
            return new SqlNode.Not(not());
        }
        return primary();
    }

    private SqlNode primary() throws SqlFilterException {
        if (accept(Kind.LPAREN, "(")) {
            SqlNode inner = or();
            expect(Kind.RPAREN, "')'");
            return inner;
        }
        Token start = peek();
        Operand left = operand();
        SqlNode tail = tail(left, start);
        if (tail != null) {
            return tail;
        }
        if (left instanceof Operand.Property p) {
            return new SqlNode.BooleanProperty(p.name);
        }
        Object v = ((Operand.Literal) left).value;
        if (v instanceof Boolean b) {
            return new SqlNode.Constant(b);
        }
        throw new SqlFilterException("'" + start.text() + "' is not a condition", start.position());
    }

    /** The comparison that follows {@code left}, or null when none does. */
    private SqlNode tail(Operand left, Token start) throws SqlFilterException {
        Token t = peek();
        if (t.kind() == Kind.OP) {
            at++;
            return comparison(left, t, operand());
        }
        if (accept(Kind.KEYWORD, "IS")) {
            boolean negated = accept(Kind.KEYWORD, "NOT");
            expectKeyword("NULL");
            return left instanceof Operand.Property p ? new SqlNode.IsNull(p.name, negated)
                : new SqlNode.Constant(negated);
        }
        boolean negated = accept(Kind.KEYWORD, "NOT");
        Token k = peek();
        if (k.is(Kind.KEYWORD, "BETWEEN")) {
            at++;
            return between(left, negated, start);
        }
        if (k.is(Kind.KEYWORD, "IN")) {
            at++;
            return new SqlNode.In(property(left, "IN", start), inList(), negated);
        }
        if (k.kind() == Kind.KEYWORD && (k.text().equals("CONTAINS") || k.text().equals("STARTSWITH")
            || k.text().equals("ENDSWITH"))) {
            at++;
            String text = (String) expect(Kind.STRING, "a string literal").value();
            return new SqlNode.TextMatch(property(left, k.text(), start), k.text(), text, negated);
        }
        if (negated) {
            throw new SqlFilterException("expected BETWEEN, IN, CONTAINS, STARTSWITH or ENDSWITH after NOT but found '"
                + k.text() + "'", k.position());
        }
        return null;
    }

    private SqlNode comparison(Operand left, Token op, Operand right) throws SqlFilterException {
        String o = op.text().equals("!=") ? "<>" : op.text();
        if (!o.equals("=") && !o.equals("<>")) {
            numericOperand(left, o, op);
            numericOperand(right, o, op);
        }
        return new SqlNode.Compare(left, o, right);
    }

    private static void numericOperand(Operand o, String op, Token at) throws SqlFilterException {
        if (o instanceof Operand.Literal l && !l.isNumber()) {
            throw new SqlFilterException("'" + l + "' cannot be compared with " + op + " (numbers only)",
                at.position());
        }
    }

    private SqlNode between(Operand value, boolean negated, Token start) throws SqlFilterException {
        Token lowAt = peek();
        Operand low = operand();
        expectKeyword("AND");
        Operand high = operand();
        numericOperand(value, "BETWEEN", start);
        numericOperand(low, "BETWEEN", lowAt);
        numericOperand(high, "BETWEEN", lowAt);
        if (low instanceof Operand.Literal l && high instanceof Operand.Literal h
            && ((Number) l.value).doubleValue() > ((Number) h.value).doubleValue()) {
            throw new SqlFilterException("BETWEEN " + l + " AND " + h + ": the lower bound is above the upper",
                lowAt.position());
        }
        if (negated) {
            return new SqlNode.Or(new SqlNode.Compare(value, "<", low), new SqlNode.Compare(value, ">", high));
        }
        return new SqlNode.And(new SqlNode.Compare(value, ">=", low), new SqlNode.Compare(value, "<=", high));
    }

    private String[] inList() throws SqlFilterException {
        expect(Kind.LPAREN, "'(' after IN");
        List<String> values = new ArrayList<>();
        do {
            values.add((String) expect(Kind.STRING, "a string literal in IN (...)").value());
        } while (accept(Kind.COMMA, ","));
        expect(Kind.RPAREN, "')' or ',' in IN (...)");
        return values.toArray(new String[0]);
    }

    private static String property(Operand o, String op, Token start) throws SqlFilterException {
        if (o instanceof Operand.Property p) {
            return p.name;
        }
        throw new SqlFilterException(op + " needs a property on its left, not '" + start.text() + "'",
            start.position());
    }

    private Operand operand() throws SqlFilterException {
        Token t = take();
        switch (t.kind()) {
            case IDENT:
                return new Operand.Property(t.text());
            case STRING:
            case NUMBER:
                return new Operand.Literal(t.value());
            case KEYWORD:
                if (t.text().equals("TRUE") || t.text().equals("FALSE")) {
                    return new Operand.Literal(Boolean.valueOf(t.text().equals("TRUE")));
                }
                break;
            default:
                break;
        }
        throw new SqlFilterException("expected a property or a value but found '" + t.text() + "'", t.position());
    }
}
