package io.raftmq.client.consumer;

/**
 * Where a queue with no stored offset for the group starts (docs/protocol.md §2.5): {@link #LAST} at the queue's end
 * (what is sent from now on; retry queues start at 0), {@link #FIRST} at its first message, {@link #TIMESTAMP} at the
 * first message stored at or after the consumer's {@code consumeTimestampMs}.
 */
public enum ConsumeFrom {
    LAST, FIRST, TIMESTAMP;

    /** The name heartbeats carry. */
    String wireName() {
        return "CONSUME_FROM_" + name() + (this == TIMESTAMP ? "" : "_OFFSET");
    }
}
