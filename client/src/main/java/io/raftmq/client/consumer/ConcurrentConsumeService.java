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
 * queue's offset moves to its smallest unconsumed message.
 *
 * <p><b>How many tasks.</b> Handing a task to a consume thread costs a wake-up of that thread (a few microseconds of
 * CPU on both sides), more than a listener that only records a message takes. So the calls of one pulled batch are
 * spread over as many executor tasks as their expected time needs ({@link #tasksFor}): the listener's call time is
 * measured (a moving average), and a task gets consecutive calls worth about {@link #TASK_BUDGET_NS}; a slow listener
 * gets one task per call, up to {@code consumeThreads} tasks, as before; until a call was measured every call is a
 * task. Each listener call still gets at most {@code consumeBatchMax} messages, and its outcome is handled alone.
 *
 * <p>A call that returns RECONSUME_LATER (or throws) sends each message back with CONSUMER_SEND_MSG_BACK: delay level
 * 3 + its reconsume count (10 s, 30 s, 1 min, ...: docs/protocol.md §5.7), or straight to the DLQ once the count
 * reached {@code reconsumeTimesMax}. A message whose send-back fails stays in the queue (so its offset is not
 * committed past it) and is given to the listener again after {@link #SEND_BACK_RETRY_MS}.
 */
final class ConcurrentConsumeService implements ConsumeService {
    private static final Logger LOG = LoggerFactory.getLogger(ConcurrentConsumeService.class);
    static final long SEND_BACK_RETRY_MS = 5_000;
    static final int DELAY_LEVEL_FIRST_RETRY = 3;
    static final int DELAY_LEVEL_MAX = 18;
    /** Listener time one executor task is given when calls are fast (several calls run in one task). */
    static final long TASK_BUDGET_NS = 200_000;
    /** Weight of a new sample in the moving average of a call's time: 1 / 2^AVERAGE_SHIFT. */
    static final int AVERAGE_SHIFT = 3;

    private final ConsumerConfig config;
    private final ConcurrentListener listener;
    private final ConsumerRpc rpc;
    private final OffsetStore offsets;
    private final ConsumeExecutor executor;
    private final AtomicLong listenerErrors = new AtomicLong();
    /** Moving average of one listener call's time (ns); -1 until the first call ended. Racy updates are fine. */
    private volatile long callNsAverage = -1;

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

    /**
     * How many executor tasks {@code calls} listener calls go in: enough that each task's expected listener time is
     * about {@link #TASK_BUDGET_NS} (at least one), at most one per call and at most {@code threads}; one per call
     * (up to {@code threads}) while the call time is unknown ({@code callNs} &lt; 0).
     */
    static int tasksFor(int calls, long callNs, int threads) {
        int most = Math.min(calls, threads);
        if (callNs < 0) {
            return most;
        }
        long wanted = (calls * Math.max(callNs, 1) + TASK_BUDGET_NS - 1) / TASK_BUDGET_NS;
        return (int) Math.max(1, Math.min(most, wanted));
    }

    @Override
    public void submit(ProcessQueue pq, List<ReceivedMessage> messages) {
        spread(pq, messages, config.consumeBatchMax());
    }

    /** Hands the calls of {@code messages} ({@code n} messages each) to {@link #tasksFor} executor tasks. */
    private void spread(ProcessQueue pq, List<ReceivedMessage> messages, int n) {
        int calls = (messages.size() + n - 1) / n;
        int tasks = tasksFor(calls, callNsAverage, config.consumeThreads());
        // calls are dealt out in consecutive runs: task t gets calls [t * calls / tasks, (t + 1) * calls / tasks)
        for (int t = 0; t < tasks; t++) {
            int fromCall = (int) ((long) t * calls / tasks);
            int toCall = (int) ((long) (t + 1) * calls / tasks);
            List<ReceivedMessage> run = messages.subList(fromCall * n, Math.min(messages.size(), toCall * n));
            executor.execute(() -> consumeRun(pq, run, n));
        }
    }

    /**
     * One task: the listener calls of {@code run}, {@code n} messages each, one after the other; once the task has
     * used its budget (a call was slower than the average said), the calls left are spread again with the updated
     * average, so a listener that turns slow gets its parallelism back after one call.
     */
    private void consumeRun(ProcessQueue pq, List<ReceivedMessage> run, int n) {
        long startNs = System.nanoTime();
        for (int from = 0; from < run.size() && !pq.dropped(); from += n) {
            if (from > 0 && System.nanoTime() - startNs > TASK_BUDGET_NS) {
                spread(pq, run.subList(from, run.size()), n);
                return;
            }
            consume(pq, run.subList(from, Math.min(run.size(), from + n)));
        }
    }

    private void consume(ProcessQueue pq, List<ReceivedMessage> batch) {
        if (pq.dropped()) {
            return; // reassigned: its new owner pulls these again from the committed offset
        }
        ConcurrentListener.Status status;
        long t0 = System.nanoTime();
        try {
            status = listener.consume(batch);
        } catch (RuntimeException e) { // listener boundary: counted, logged, retried like RECONSUME_LATER
            listenerErrors.incrementAndGet();
            LOG.warn("listener of group {} threw on {} messages of {}; they will be retried", config.group(),
                    batch.size(), pq.queue, e);
            status = ConcurrentListener.Status.RECONSUME_LATER;
        }
        recordCallNs(System.nanoTime() - t0);
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

    /** Folds one call's time into the moving average. */
    private void recordCallNs(long ns) {
        long avg = callNsAverage;
        callNsAverage = avg < 0 ? ns : avg + ((ns - avg) >> AVERAGE_SHIFT);
    }

    long listenerErrors() {
        return listenerErrors.get();
    }

    /** The moving average of a listener call's time in ns, -1 before the first (tests). */
    long callNsAverage() {
        return callNsAverage;
    }

    /** Sets the moving average (tests: a listener known to be fast). */
    void callNsAverage(long ns) {
        callNsAverage = ns;
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
