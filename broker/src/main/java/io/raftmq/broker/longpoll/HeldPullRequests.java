package io.raftmq.broker.longpoll;

import io.raftmq.broker.offset.StoreView;
import io.raftmq.client.Verify;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Long polling (docs/protocol.md §5.6): pull requests that found nothing new are held per (topic, queueId), bounded in
 * count, and resumed either when committed data is dispatched past their offset ({@link #onDispatched}, called by the
 * state machine after each dispatch) or at their deadline ({@link #expire}, called by a one-thread timer every
 * checkIntervalMs, or by tests with a manual clock). Resumption ({@link HeldPull#wake}) always runs on the given
 * executor, so neither the dispatching (raft) thread nor a Netty I/O thread ever runs a pull, and a held request
 * never blocks its connection (the answer goes through the client module's {@code RequestContext.respond}).
 *
 * <p>Lost-wake-up rule: {@link #hold} registers the request and then re-reads the queue's max offset, while
 * {@link #onDispatched} is called after the ConsumeQueue's max offset was published; so data dispatched between
 * the pull's read and its registration is seen by one of the two.
 *
 * <p>Invariants: {@code held <= heldRequestsMax}; every held request is woken exactly once (by data, deadline,
 * or {@link #close}) unless it was abandoned. Thread-safe; one monitor guards the tables (held briefly).
 */
public final class HeldPullRequests implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeldPullRequests.class);

    private final LongPollConfig config;
    private final LongSupplier clockMs;
    private final Executor executor;
    private final StoreView store;
    /** topic -> held requests by queueId (null slots when none). Guarded by this. */
    private final Map<String, List<Entry>[]> byQueue = new HashMap<>();
    /** Deadline order; entries already woken stay until they surface (lazy removal). Guarded by this. */
    private final PriorityQueue<Entry> deadlines = new PriorityQueue<>((a, b) -> Long.compare(a.deadlineMs,
            b.deadlineMs));
    /** Requests currently held (not yet woken). Written under this, read without lock for the fast path. */
    private volatile int held;
    private final AtomicLong wokenByData = new AtomicLong();
    private final AtomicLong wokenByTimeout = new AtomicLong();
    private final AtomicLong refusedFull = new AtomicLong();
    private ScheduledExecutorService timer;
    private boolean closed;

    private static final class Entry {
        final HeldPull pull;
        final long deadlineMs;
        boolean done;

        Entry(HeldPull pull) {
            this.pull = pull;
            this.deadlineMs = pull.deadlineMs();
        }
    }

    /**
     * @param config   limits
     * @param clockMs  the clock deadlines are measured in (ms)
     * @param executor where woken requests are resumed (the pull processor's executor)
     * @param store    queue bounds, for the lost-wake-up re-check in {@link #hold}
     */
    public HeldPullRequests(LongPollConfig config, LongSupplier clockMs, Executor executor, StoreView store) {
        Verify.argument(config != null && clockMs != null && executor != null && store != null,
                "config, clock, executor and store are required");
        this.config = config;
        this.clockMs = clockMs;
        this.executor = executor;
        this.store = store;
    }

    /** The deadline of a request held now with the client's {@code suspendTimeoutMillis} (capped by holdMsMax). */
    public long deadlineFor(long suspendTimeoutMs) {
        return clockMs.getAsLong() + Math.max(0, Math.min(suspendTimeoutMs, config.holdMsMax()));
    }

    /**
     * Holds {@code pull} until data beyond its offset is dispatched or its deadline passes.
     *
     * @return false (nothing held) when heldRequestsMax requests are already held or this was closed: answer now
     */
    public boolean hold(HeldPull pull) {
        Entry e = new Entry(pull);
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (held >= config.heldRequestsMax()) {
                purgeAbandoned();
            }
            if (held >= config.heldRequestsMax()) {
                refusedFull.incrementAndGet();
                return false;
            }
            queueList(pull.topic(), pull.queueId()).add(e);
            deadlines.add(e);
            held++;
            if (deadlines.size() > 2 * config.heldRequestsMax()) {
                deadlines.removeIf(x -> x.done);
            }
        }
        if (store.maxOffset(pull.topic(), pull.queueId()) > pull.offset()) {
            onDispatched(pull.topic(), pull.queueId(), store.maxOffset(pull.topic(), pull.queueId()));
        }
        return true;
    }

    /**
     * Committed data of (topic, queueId) was dispatched; its max offset is now {@code maxOffset}. Wakes the held
     * requests waiting below it (on the executor). Call after the ConsumeQueue is updated; any thread; does no I/O
     * and allocates nothing when no request waits on the queue.
     */
    public void onDispatched(String topic, int queueId, long maxOffset) {
        if (held == 0) {
            return;
        }
        List<Entry> woken = null;
        synchronized (this) {
            List<Entry>[] queues = byQueue.get(topic);
            List<Entry> list = queues == null || queueId < 0 || queueId >= queues.length ? null : queues[queueId];
            if (list == null || list.isEmpty()) {
                return;
            }
            for (int i = list.size() - 1; i >= 0; i--) {
                Entry e = list.get(i);
                if (e.pull.offset() < maxOffset) {
                    removeAt(list, i, e);
                    woken = woken == null ? new ArrayList<>() : woken;
                    woken.add(e);
                }
            }
        }
        if (woken != null) {
            wokenByData.addAndGet(woken.size());
            for (int i = woken.size() - 1; i >= 0; i--) {
                submit(woken.get(i).pull, false);
            }
        }
    }

    /**
     * Wakes (timed out) every held request whose deadline is at or before now, dropping abandoned ones. Returns
     * how many were woken. Called by the timer; tests call it directly after moving their clock.
     */
    public int expire() {
        long now = clockMs.getAsLong();
        List<Entry> due = new ArrayList<>();
        synchronized (this) {
            while (!deadlines.isEmpty() && deadlines.peek().deadlineMs <= now) {
                Entry e = deadlines.poll();
                if (!e.done) {
                    List<Entry> list = queueList(e.pull.topic(), e.pull.queueId());
                    removeAt(list, list.indexOf(e), e);
                    due.add(e);
                }
            }
        }
        int woken = 0;
        for (Entry e : due) {
            if (!e.pull.isAbandoned()) {
                submit(e.pull, true);
                woken++;
            }
        }
        wokenByTimeout.addAndGet(woken);
        return woken;
    }

    /** Starts the one-thread timer that calls {@link #expire} every checkIntervalMs. */
    public synchronized void start() {
        Verify.state(timer == null && !closed, "long-poll timer already started or closed");
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "longpoll-timer");
            th.setDaemon(true);
            return th;
        });
        t.scheduleWithFixedDelay(this::expireSafely, config.checkIntervalMs(), config.checkIntervalMs(),
                TimeUnit.MILLISECONDS);
        timer = t;
    }

    private void expireSafely() {
        try {
            expire();
        } catch (RuntimeException e) { // thread boundary: log, count, keep the timer alive
            LOG.error("long-poll timeout check failed", e);
        }
    }

    /** Stops the timer and answers every held request as timed out. Idempotent. */
    @Override
    public void close() {
        List<Entry> all = new ArrayList<>();
        ScheduledExecutorService t;
        synchronized (this) {
            closed = true;
            t = timer;
            timer = null;
            for (List<Entry>[] queues : byQueue.values()) {
                for (List<Entry> list : queues) {
                    if (list != null) {
                        all.addAll(list);
                        list.clear();
                    }
                }
            }
            byQueue.clear();
            deadlines.clear();
            held = 0;
        }
        if (t != null) {
            t.shutdownNow();
        }
        for (Entry e : all) {
            e.done = true;
            submit(e.pull, true);
        }
    }

    /** Requests currently held. */
    public int heldCount() {
        return held;
    }

    public long wokenByDataCount() {
        return wokenByData.get();
    }

    public long wokenByTimeoutCount() {
        return wokenByTimeout.get();
    }

    public long refusedFullCount() {
        return refusedFull.get();
    }

    private void submit(HeldPull pull, boolean timedOut) {
        try {
            executor.execute(() -> pull.wake(timedOut));
        } catch (RejectedExecutionException e) {
            LOG.warn("held pull on {}/{} dropped: executor refused it ({})", pull.topic(), pull.queueId(),
                    e.toString());
        }
    }

    /** Guarded by this. */
    private List<Entry> queueList(String topic, int queueId) {
        @SuppressWarnings("unchecked")
        List<Entry>[] queues = byQueue.computeIfAbsent(topic, t -> (List<Entry>[]) new List[queueId + 1]);
        if (queues.length <= queueId) {
            queues = Arrays.copyOf(queues, queueId + 1);
            byQueue.put(topic, queues);
        }
        if (queues[queueId] == null) {
            queues[queueId] = new ArrayList<>();
        }
        return queues[queueId];
    }

    /** Guarded by this. */
    private void removeAt(List<Entry> list, int i, Entry e) {
        Verify.state(i >= 0 && list.get(i) == e, "held entry not in its queue list", i, list.size());
        int last = list.size() - 1;
        list.set(i, list.get(last));
        list.remove(last);
        e.done = true;
        held--;
        Verify.state(held >= 0, "held count negative", held);
    }

    /** Guarded by this: drops held requests whose channel closed (they get no answer). */
    private void purgeAbandoned() {
        for (List<Entry>[] queues : byQueue.values()) {
            for (List<Entry> list : queues) {
                for (int i = list == null ? -1 : list.size() - 1; i >= 0; i--) {
                    Entry e = list.get(i);
                    if (e.pull.isAbandoned()) {
                        removeAt(list, i, e);
                    }
                }
            }
        }
    }
}
