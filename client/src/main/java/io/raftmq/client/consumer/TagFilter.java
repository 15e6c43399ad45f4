package io.raftmq.client.consumer;

import io.raftmq.client.protocol.body.SubscriptionData;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A subscription's tag expression (docs/protocol.md §3.8): {@code *} (or empty) takes every message, else
 * {@code TagA || TagB} takes the messages whose TAGS is one of the listed tags. The broker filters by the tags' hash
 * codes; the consumer checks the tag strings again ({@link #matches}), since different tags may share a code.
 * Immutable.
 *
 * @param expression the expression as given (trimmed; "*" for all)
 * @param tags       the listed tags, in order, without duplicates; empty for "*"
 */
public record TagFilter(String expression, List<String> tags) {
    public static final TagFilter ALL = new TagFilter("*", List.of());

    public TagFilter {
        tags = List.copyOf(tags);
    }

    /**
     * Parses {@code expression}: null, blank or {@code *} give {@link #ALL}; otherwise {@code ||}-separated tags,
     * each trimmed.
     *
     * @throws IllegalArgumentException for an empty tag ({@code "a || "}) or a tag holding a space or {@code *}
     */
    public static TagFilter parse(String expression) {
        if (expression == null || expression.isBlank() || expression.trim().equals("*")) {
            return ALL;
        }
        Set<String> tags = new LinkedHashSet<>();
        for (String part : expression.split("\\|\\|", -1)) {
            String tag = part.trim();
            if (tag.isEmpty() || tag.contains(" ") || tag.contains("*") || tag.contains("|")) {
                throw new IllegalArgumentException("tag expression '" + expression + "': each tag between '||' must"
                        + " be non-empty, without spaces, '*' or '|' (got '" + part + "')");
            }
            tags.add(tag);
        }
        return new TagFilter(expression.trim(), new ArrayList<>(tags));
    }

    public boolean all() {
        return tags.isEmpty();
    }

    /** Whether a message with {@code tag} (null: no tag) passes. */
    public boolean matches(String tag) {
        return tags.isEmpty() || (tag != null && tags.contains(tag));
    }

    /** The subscription as heartbeats carry it ({@code subVersion}: when it was made, ms). */
    public SubscriptionData toSubscription(String topic, long subVersion) {
        List<Integer> codes = new ArrayList<>();
        for (String t : tags) {
            codes.add(t.hashCode());
        }
        return new SubscriptionData(topic, all() ? SubscriptionData.SUB_ALL : expression, tags, codes, subVersion,
                SubscriptionData.TYPE_TAG, false);
    }
}
