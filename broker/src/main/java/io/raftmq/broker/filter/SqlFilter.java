package io.raftmq.broker.filter;

import java.util.Objects;

/**
 * A compiled SQL92 subscription filter (docs/consumer-protocol.md "SQL92 filters"): RocketMQ's subset over a message's
 * properties, {@code TAGS} and user properties alike, such as {@code TAGS IN ('a', 'b') AND price BETWEEN 10 AND
 * 20}. {@link #compile} refuses a malformed expression with its position; {@link #matches} decides one message from
 * its stored properties string, in place (no map, no copy of the values; only decimal values allocate when parsed).
 *
 * <p>Immutable and thread-safe; evaluation state lives in the caller's {@link PropertyView} (one per thread).
 */
public final class SqlFilter {
    private final String expression;
    private final SqlNode root;

    private SqlFilter(String expression, SqlNode root) {
        this.expression = expression;
        this.root = root;
    }

    /** Compiles {@code expression}; blank expressions are refused (a SQL92 subscription must say what it selects). */
    public static SqlFilter compile(String expression) throws SqlFilterException {
        if (expression == null || expression.isBlank()) {
            throw new SqlFilterException("empty SQL92 expression", 0);
        }
        return new SqlFilter(expression, SqlParser.parse(expression));
    }

    /** Whether the message whose properties {@code view} was reset to passes (the expression is TRUE for it). */
    public boolean matches(PropertyView view) {
        return root.eval(view) == SqlNode.TRUE;
    }

    /** Convenience for tests and cold paths: {@link #matches} over a fresh view of {@code properties}. */
    public boolean matches(String properties) {
        return matches(new PropertyView().reset(properties));
    }

    /** The expression as the subscriber wrote it. */
    public String expression() {
        return expression;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SqlFilter f && f.expression.equals(expression);
    }

    @Override
    public int hashCode() {
        return Objects.hash(expression);
    }

    /** The parsed form, fully parenthesised: shows how the expression was read. */
    @Override
    public String toString() {
        return root.toString();
    }
}
