package io.raftmq.broker.store;

import io.raftmq.client.protocol.body.SubscriptionData;

import java.util.Arrays;
import java.util.List;

/**
 * Broker-side tag filter (docs/protocol.md §3.8): a message matches when the subscription is {@code *} / empty, or
 * when its ConsumeQueue tagsCode is one of the subscription's tag hash codes. Collisions only cost a delivery the
 * client drops (it re-checks the exact tag). Immutable; {@link #matches} allocates nothing.
 */
public final class TagFilter {
    /** Matches every message. */
    public static final TagFilter ALL = new TagFilter(null);

    /** Sorted codes, or null for "everything". */
    private final long[] codes;

    private TagFilter(long[] codes) {
        this.codes = codes;
    }

    /**
     * The filter of a subscription expression such as {@code "TagA || TagB"}: split on {@code ||}, trimmed; null,
     * blank or a part equal to {@code *} means everything.
     */
    public static TagFilter ofExpression(String expression) {
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
    public static TagFilter of(SubscriptionData s) {
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

    private static TagFilter sorted(long[] codes) {
        Arrays.sort(codes);
        return new TagFilter(codes);
    }

    /** Whether this filter lets everything through. */
    public boolean matchesAll() {
        return codes == null;
    }

    /** Whether a message with this ConsumeQueue tagsCode passes. */
    public boolean matches(long tagsCode) {
        return codes == null || Arrays.binarySearch(codes, tagsCode) >= 0;
    }

    @Override
    public String toString() {
        return codes == null ? "TagFilter[*]" : "TagFilter" + Arrays.toString(codes);
    }
}
