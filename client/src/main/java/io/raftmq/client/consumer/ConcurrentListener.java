package io.raftmq.client.consumer;

import java.util.List;

/**
 * Consumes messages in any order, several calls at once on the consume threads. A call that returns
 * {@link Status#RECONSUME_LATER} or throws sends its messages back to the group's retry topic, to be delivered again
 * after the delay of their retry level (docs/protocol.md §5.7), or to the DLQ after {@code reconsumeTimesMax}.
 */
@FunctionalInterface
public interface ConcurrentListener {
    /** What became of a batch. */
    enum Status {
        SUCCESS, RECONSUME_LATER
    }

    /** Consumes {@code messages} (at most {@code consumeBatchMax}, all of one queue). */
    Status consume(List<ReceivedMessage> messages);
}
