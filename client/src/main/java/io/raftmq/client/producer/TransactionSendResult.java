package io.raftmq.client.producer;

/**
 * The outcome of {@link TransactionProducer#send}: the half message's send and what the local transaction said
 * (already sent to the broker as END_TRANSACTION, oneway).
 *
 * @param send  the half message's send ({@code msgId} is the id consumers see once it is committed)
 * @param state the local transaction's state (ROLLBACK when the broker did not store the half message as SEND_OK)
 */
public record TransactionSendResult(SendResult send, TransactionState state) {
}
