package io.raftmq.client.producer;

import io.raftmq.client.consumer.ReceivedMessage;

/**
 * The application side of a {@link TransactionProducer}: runs the local transaction that goes with a half message,
 * and answers the broker's later question about a half message still pending. A throw counts as
 * {@link TransactionState#UNKNOWN} (the broker asks again), as does null.
 */
public interface TransactionListener {
    /**
     * Runs the local transaction of {@code msg}, whose half message is stored (invisible); on the sending thread.
     *
     * @param arg what the caller passed to {@link TransactionProducer#send(Message, Object)}
     */
    TransactionState executeLocal(Message msg, Object arg);

    /**
     * The broker asks about a half message still pending (CHECK_TRANSACTION_STATE): this producer's group sent it,
     * possibly from another process or before a restart. {@code msg} is the half message with its real topic; its
     * {@link ReceivedMessage#msgId()} is the id the send returned. Runs on the client instance's callback executor.
     */
    TransactionState checkLocal(ReceivedMessage msg);
}
