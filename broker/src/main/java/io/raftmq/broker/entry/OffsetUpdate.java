package io.raftmq.broker.entry;

import java.util.Comparator;

/**
 * One committed consumer offset: the next queue offset {@code group} will consume from {@code topic}/{@code queueId}.
 * Ordered by (group, topic, queueId) for deterministic encoding.
 */
public record OffsetUpdate(String group, String topic, int queueId, long offset) {
    /** Encoding order. */
    public static final Comparator<OffsetUpdate> ORDER = Comparator.comparing(OffsetUpdate::group)
            .thenComparing(OffsetUpdate::topic).thenComparingInt(OffsetUpdate::queueId);

    public OffsetUpdate {
        if (group == null || topic == null) {
            throw new IllegalArgumentException("group and topic are required");
        }
        if (queueId < 0 || offset < 0) {
            throw new IllegalArgumentException("queueId and offset must be >= 0: " + queueId + ", " + offset);
        }
    }
}
