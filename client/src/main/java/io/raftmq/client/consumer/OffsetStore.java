package io.raftmq.client.consumer;

import io.raftmq.client.protocol.body.MessageQueue;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Where a consumer keeps its queues' offsets (the next offset to consume): in memory, committed to the broker
 * ({@link RemoteOffsetStore}, CLUSTERING) or to a local file ({@link LocalOffsetStore}, BROADCASTING) every
 * {@code commitIntervalMs} and on shutdown. Thread-safe.
 */
interface OffsetStore {
    /** The stored offset of {@code mq} (memory first, then the broker or file), -1 when none is stored. */
    CompletableFuture<Long> read(MessageQueue mq);

    /** Records {@code offset} as consumed-up-to in memory; with {@code increaseOnly} a smaller one is ignored. */
    void update(MessageQueue mq, long offset, boolean increaseOnly);

    /** The offset in memory, -1 if none. */
    long offset(MessageQueue mq);

    /** Commits the in-memory offsets of {@code mqs} that changed since their last commit. */
    CompletableFuture<Void> commit(Collection<MessageQueue> mqs);

    /** Forgets {@code mq} (after a last commit: the queue went to another consumer). */
    void forget(MessageQueue mq);
}
