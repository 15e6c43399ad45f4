package io.raftmq.client.protocol;

/**
 * A typed "custom header" (docs/protocol.md §1.5): flattened into {@link ExtFields} as one string per non-null field,
 * named exactly like the Java field of RocketMQ's header class. Implementations are immutable records with a static
 * {@code decode(ExtFields)} that throws {@link RemotingCommandException} for missing or invalid required fields.
 */
public interface CommandHeader {
    /** Writes this header's non-null fields into {@code fields} (in RocketMQ's declaration order). */
    void encodeTo(ExtFields fields);
}
