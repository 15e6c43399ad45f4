package io.raftmq.client.consumer;

import java.util.List;

/**
 * Consumes each queue in queue order, one call per queue at a time, while this consumer holds the queue's broker lock
 * (LOCK_BATCH_MQ 41, docs/messaging.md "Ordered consumption"). A call that returns {@link Status#SUSPEND} or throws
 * gets the same messages again after {@code orderlySuspendMs}; once a message has failed more than
 * {@code reconsumeTimesMax} times it is sent to the DLQ and the queue goes on.
 */
@FunctionalInterface
public interface OrderlyListener {
    /** What became of a batch. */
    enum Status {
        SUCCESS, SUSPEND
    }

    /** Consumes {@code messages} (at most {@code consumeBatchMax}, consecutive messages of one queue). */
    Status consume(List<ReceivedMessage> messages);
}
