package io.raftmq.client.protocol.header;

/**
 * SEARCH_OFFSET_BY_TIMESTAMP boundary (docs/protocol.md §2.5): LOWER = first offset whose store time is at or after
 * the timestamp; UPPER = last offset whose store time is at or before it.
 */
public enum BoundaryType {
    LOWER, UPPER;

    /** Parses case-insensitively; null or anything else is LOWER (like RocketMQ). */
    public static BoundaryType parse(String s) {
        return "UPPER".equalsIgnoreCase(s) ? UPPER : LOWER;
    }
}
