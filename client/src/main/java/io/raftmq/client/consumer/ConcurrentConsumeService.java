package io.raftmq.client.consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a {@link ConcurrentListener}: each pulled batch is cut into calls of at most {@code consumeBatchMax} messages
 * that run in parallel on the consume executor. After a call the consumed messages leave the process queue and the
 * queue's offset moves to its smallest unconsumed message. A call that returns RECONSUME_LATER (or throws) sends each
 * message back with CONSUMER_SEND_MSG_BACK: delay level 3 + its reconsume count (10 s, 30 s, 1 min, ...:
 * docs/protocol.md §5.7), or straight to the DLQ once the count reached {@code reconsumeTimesMax}. A message whose
 * send-back fails stays in the queue (so its offset is not committed past it) and is given to the listener again after
 * {@link #SEND_BACK_RETRY_MS}.
 */
final class ConcurrentConsumeService implements ConsumeService {
    private static final Logger LOG = LoggerFactory.getLogger(ConcurrentConsumeService.class);
    static final long SEND_BACK_RETRY_MS = 5_000;
    static final int DELAY_LEVEL_FIRST_RETRY = 3;
    static final int DELAY_LEVEL_MAX = 18;

    private final ConsumerConfig config;
    private final ConcurrentListener listener;
    private final ConsumerRpc rpc;
    private final OffsetStore offsets;
    private final ConsumeExecutor executor;
    private final AtomicLong listenerErrors = new AtomicLong();

    ConcurrentConsumeService(ConsumerConfig config, ConcurrentListener listener, ConsumerRpc rpc,
                             OffsetStore offsets, ConsumeExecutor executor) {
        this.config = config;
        this.listener = listener;
        this.rpc = rpc;
        this.offsets = offsets;
        this.executor = executor;
    }

    /** The delay level of the next delivery of a message consumed {@code reconsumeTimes} times before; -1 = DLQ. */
    static int delayLevel(int reconsumeTimes, int reconsumeTimesMax) {
        if (reconsumeTimes >= reconsumeTimesMax) {
            return -1;
        }
        return Math.min(DELAY_LEVEL_MAX, DELAY_LEVEL_FIRST_RETRY + reconsumeTimes);
    }

    @Override
    public void submit(ProcessQueue pq, List<ReceivedMessage> messages) {
        int n = config.consumeBatchMax();
        for (int from = 0; from < messages.size(); from += n) {
            List<ReceivedMessage> batch = messages.subList(from, Math.min(messages.size(), from + n));
            executor.execute(() -> consume(pq, batch));
        }
    }

    private void consume(ProcessQueue pq, List<ReceivedMessage> batch) {
        if (pq.dropped()) {
            return; // reassigned: its new owner pulls these again from the committed offset
        }
        ConcurrentListener.Status status;
        try {
            status = listener.consume(batch);
        } catch (RuntimeException e) { // listener boundary: counted, logged, retried like RECONSUME_LATER
            listenerErrors.incrementAndGet();
            LOG.warn("listener of group {} threw on {} messages of {}; they will be retried", config.group(),
                    batch.size(), pq.queue, e);
            status = ConcurrentListener.Status.RECONSUME_LATER;
        }
        List<ReceivedMessage> done = batch;
        if (status != ConcurrentListener.Status.SUCCESS) {
            done = sendBack(pq, batch);
        }
        long commit = pq.remove(done);
        if (!pq.dropped()) {
            offsets.update(pq.queue, commit, true);
        }
    }

    /** Sends each message back; returns those sent (the others are retried here later). */
    private List<ReceivedMessage> sendBack(ProcessQueue pq, List<ReceivedMessage> batch) {
        List<ReceivedMessage> sent = new ArrayList<>(batch.size());
        List<ReceivedMessage> failed = new ArrayList<>();
        for (ReceivedMessage m : batch) {
            int level = delayLevel(m.reconsumeTimes(), config.reconsumeTimesMax());
            try {
                rpc.sendBack(m, level, config.reconsumeTimesMax())
                        .get(ConsumerRpc.CALL_TIMEOUT_MS + 1_000, TimeUnit.MILLISECONDS);
                sent.add(m);
            } catch (ExecutionException | TimeoutException e) {
                LOG.info("send-back of {} failed ({}); consuming it again in {} ms", m, e.getMessage(),
                        SEND_BACK_RETRY_MS);
                failed.add(m);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.add(m);
            }
        }
        if (!failed.isEmpty()) {
            executor.executeLater(() -> consume(pq, failed), SEND_BACK_RETRY_MS);
        }
        return sent;
    }

    long listenerErrors() {
        return listenerErrors.get();
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
