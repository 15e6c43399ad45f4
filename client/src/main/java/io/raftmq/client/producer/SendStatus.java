package io.raftmq.client.producer;

/**
 * Outcome of an acknowledged send, as in the official client: SEND_OK, or one of the three statuses a RocketMQ
 * broker answers with codes 10/11/12 (stored, but not flushed or replicated as asked; never sent by RaftMQ, which
 * acknowledges only committed messages: docs/protocol.md §1.6). Those three are not retried.
 */
public enum SendStatus {
    SEND_OK,
    FLUSH_DISK_TIMEOUT,
    FLUSH_SLAVE_TIMEOUT,
    SLAVE_NOT_AVAILABLE
}
