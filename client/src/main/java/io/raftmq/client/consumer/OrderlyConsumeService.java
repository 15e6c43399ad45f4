package io.raftmq.client.consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs an {@link OrderlyListener}: one call per queue at a time ({@code ProcessQueue.consuming}), in queue order,
 * only while this consumer holds the queue's broker lock (renewed by the {@link Rebalancer}; taken as expired
 * {@link #LOCK_EXPIRY_MS} after the last successful lock call, half the broker's 60 s, so two consumers never both
 * believe they hold it). Each task consumes one batch and submits the next, so queues share the threads fairly.
 * A failed batch (SUSPEND or a throw) goes back in front of the queue and is retried after {@code orderlySuspendMs};
 * once one of its messages failed more than {@code reconsumeTimesMax} times, the batch is sent to the DLQ
 * (CONSUMER_SEND_MSG_BACK, delay level -1) and the queue goes on.
 */
final class OrderlyConsumeService implements ConsumeService {
    private static final Logger LOG = LoggerFactory.getLogger(OrderlyConsumeService.class);
    static final long LOCK_EXPIRY_MS = 30_000;
    /** Pause before looking again at a queue whose lock is not held. */
    static final long LOCK_WAIT_MS = 100;

    private final ConsumerConfig config;
    private final OrderlyListener listener;
    private final ConsumerRpc rpc;
    private final OffsetStore offsets;
    private final ConsumeExecutor executor;

    OrderlyConsumeService(ConsumerConfig config, OrderlyListener listener, ConsumerRpc rpc, OffsetStore offsets,
                          ConsumeExecutor executor) {
        this.config = config;
        this.listener = listener;
        this.rpc = rpc;
        this.offsets = offsets;
        this.executor = executor;
    }

    static boolean lockValid(ProcessQueue pq) {
        return pq.lockValid(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(LOCK_EXPIRY_MS));
    }

    @Override
    public boolean pullBlocked(ProcessQueue pq) {
        return config.model() == MessageModel.CLUSTERING && !lockValid(pq);
    }

    @Override
    public void submit(ProcessQueue pq, List<ReceivedMessage> messages) {
        if (pq.consuming.compareAndSet(false, true)) {
            executor.execute(() -> consumeOne(pq));
        }
    }

    /** One batch of {@code pq}; owns {@code pq.consuming} on entry and hands it on or releases it. */
    private void consumeOne(ProcessQueue pq) {
        if (pq.dropped()) {
            pq.consuming.set(false);
            return;
        }
        if (pullBlocked(pq)) {
            executor.executeLater(() -> consumeOne(pq), LOCK_WAIT_MS);
            return;
        }
        List<ReceivedMessage> batch = pq.take(config.consumeBatchMax());
        if (batch.isEmpty()) {
            pq.consuming.set(false);
            if (pq.hasCached() && pq.consuming.compareAndSet(false, true)) {
                executor.execute(() -> consumeOne(pq)); // a put raced with the release
            }
            return;
        }
        OrderlyListener.Status status;
        try {
            status = listener.consume(batch);
        } catch (RuntimeException e) { // listener boundary: counted as a failure of the batch, logged
            LOG.warn("orderly listener of group {} threw on {} messages of {}", config.group(), batch.size(),
                    pq.queue, e);
            status = OrderlyListener.Status.SUSPEND;
        }
        boolean done = status == OrderlyListener.Status.SUCCESS;
        if (!done && failedTooOften(pq)) {
            done = toDlq(batch);
            if (!done) {
                pq.untake();
            }
        }
        if (done) {
            long commit = pq.commitTaken();
            if (!pq.dropped()) {
                offsets.update(pq.queue, commit, true);
            }
            executor.execute(() -> consumeOne(pq));
        } else {
            executor.executeLater(() -> consumeOne(pq), config.orderlySuspendMs());
        }
    }

    /** Counts the failure of the batch in progress; true when a message of it failed more than allowed. */
    private boolean failedTooOften(ProcessQueue pq) {
        int worst = pq.rollbackTaken();
        if (worst <= config.reconsumeTimesMax()) {
            return false;
        }
        pq.take(config.consumeBatchMax()); // the same batch again: it went back in front of the queue
        return true;
    }

    /** Sends the batch to the DLQ; false (batch rolled back, retried later) if a send-back failed. */
    private boolean toDlq(List<ReceivedMessage> batch) {
        try {
            CompletableFuture<?>[] calls = new CompletableFuture<?>[batch.size()];
            for (int i = 0; i < calls.length; i++) {
                calls[i] = rpc.sendBack(batch.get(i), -1, config.reconsumeTimesMax());
            }
            CompletableFuture.allOf(calls).get(ConsumerRpc.CALL_TIMEOUT_MS + 1_000, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            LOG.info("orderly group {}: sending {} messages to the DLQ failed ({}); retrying", config.group(),
                    batch.size(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    @Override
    public void shutdown(long waitMs) {
        executor.shutdown(waitMs);
    }

    @Override
    public int liveThreads() {
        return executor.liveThreads();
    }
}
