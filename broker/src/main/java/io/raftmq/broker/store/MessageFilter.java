package io.raftmq.broker.store;

import io.raftmq.broker.filter.SqlFilter;
import io.raftmq.client.protocol.body.SubscriptionData;

import java.util.Arrays;
import java.util.List;

/**
 * Broker-side message filter of a pull, in two stages. Tags (docs/protocol.md §3.8): a message passes when the
 * subscription is {@code *} / empty, or when its ConsumeQueue tagsCode is one of the subscription's tag hash codes
 * (collisions only cost a delivery the client drops: it re-checks the exact tag). SQL92 (docs/consumer-protocol.md
 * "SQL92 filters"): a subscription with a {@link SqlFilter} passes every tag code and is decided on each candidate
 * message's properties after it is read ({@link QueuePuller}). Immutable; {@link #matches} allocates nothing.
 */
public final class MessageFilter {
    /** Matches every message. */
    public static final MessageFilter ALL = new MessageFilter(null, null);

    /** Sorted codes, or null for "every tag". */
    private final long[] codes;
    /** The SQL92 expression the properties must satisfy, or null. */
    private final SqlFilter sql;

    private MessageFilter(long[] codes, SqlFilter sql) {
        this.codes = codes;
        this.sql = sql;
    }

    /** The filter of a SQL92 subscription. */
    public static MessageFilter ofSql(SqlFilter sql) {
        return new MessageFilter(null, sql);
    }

    /**
     * The filter of a subscription expression such as {@code "TagA || TagB"}: split on {@code ||}, trimmed; null,
     * blank or a part equal to {@code *} means everything.
     */
    public static MessageFilter ofExpression(String expression) {
        if (expression == null || expression.isBlank()) {
            return ALL;
        }
        String[] parts = expression.split("\\|\\|");
        long[] out = new long[parts.length];
        int n = 0;
        for (String p : parts) {
            String tag = p.trim();
            if (tag.equals(SubscriptionData.SUB_ALL)) {
                return ALL;
            }
            if (!tag.isEmpty()) {
                out[n++] = tag.hashCode();
            }
        }
        return n == 0 ? ALL : sorted(Arrays.copyOf(out, n));
    }

    /** The filter of a registered subscription (its codeSet; its expression when the codeSet is empty). */
    public static MessageFilter of(SubscriptionData s) {
        if (s == null || s.subString() == null || s.subString().isBlank()
                || s.subString().trim().equals(SubscriptionData.SUB_ALL)
                || s.tagsSet().contains(SubscriptionData.SUB_ALL)) {
            return ALL;
        }
        List<Integer> codeSet = s.codeSet();
        if (codeSet.isEmpty()) {
            return ofExpression(s.subString());
        }
        long[] out = new long[codeSet.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = codeSet.get(i);
        }
        return sorted(out);
    }

    private static MessageFilter sorted(long[] codes) {
        Arrays.sort(codes);
        return new MessageFilter(codes, null);
    }

    /** Whether this filter lets everything through. */
    public boolean matchesAll() {
        return codes == null && sql == null;
    }

    /** The SQL92 stage, decided on each message's properties after the read; null for tag filters. */
    public SqlFilter sql() {
        return sql;
    }

    /** Whether a message with this ConsumeQueue tagsCode passes the tag stage. */
    public boolean matches(long tagsCode) {
        return codes == null || Arrays.binarySearch(codes, tagsCode) >= 0;
    }

    @Override
    public String toString() {
        if (sql != null) {
            return "MessageFilter[SQL92 " + sql.expression() + "]";
        }
        return codes == null ? "MessageFilter[*]" : "MessageFilter" + Arrays.toString(codes);
    }
}
