package io.raftmq.client.consumer;

import java.util.List;

/**
 * Runs listeners on the consume executor for the messages the pulls put into process queues. Implementations:
 * {@link ConcurrentConsumeService} and {@link OrderlyConsumeService}.
 */
interface ConsumeService {
    /** {@code messages} (already in {@code pq}, in queue order) are ready; called on an event loop, never blocks. */
    void submit(ProcessQueue pq, List<ReceivedMessage> messages);

    /** Orderly: whether pulls of {@code pq} should wait (the queue's lock is not held). */
    default boolean pullBlocked(ProcessQueue pq) {
        return false;
    }

    /** Stops taking work, lets running listener calls end (up to {@code waitMs}) and ends the consume threads. */
    void shutdown(long waitMs);

    /** Threads of the consume executor alive now (for tests of a clean shutdown). */
    int liveThreads();
}
