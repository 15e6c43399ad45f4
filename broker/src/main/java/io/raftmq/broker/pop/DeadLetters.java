package io.raftmq.broker.pop;

import java.util.concurrent.CompletableFuture;

/**
 * Port: where a popped message goes once it was handed out more times than its group allows (docs/consumer-protocol.md
 * "Pop consumption"): the group's dead-letter queue, as for push retries (docs/messaging.md "Retry and dead-letter
 * queues"). The broker wires it to the send-back path.
 */
public interface DeadLetters {
    /** Stores a copy of the committed message at {@code physicalOffset} in {@code %DLQ%group}; true once stored. */
    CompletableFuture<Boolean> send(String group, long physicalOffset);
}
