package io.raftmq.broker.offset;

import io.raftmq.broker.entry.ConsumerOffsetCodec;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.entry.OffsetUpdate;
import io.raftmq.broker.entry.PayloadReader;
import io.raftmq.broker.entry.PayloadWriter;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.raft.driver.NotLeaderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Committed consumer offsets per (group, topic, queueId), replicated through the Raft log (docs/protocol.md §5.5: they
 * survive restarts and leader changes), and the coalescing of offset commits into few log entries.
 *
 * <p><b>Applied state</b> ({@link #apply}, {@link #dropTopic}, {@link #dropGroup}, {@link #restore}) is changed only
 * by the raft agent thread, in log order; reads ({@link #query} ...) come from any thread and see applied state
 * only, never a pending commit, except {@link #queryLatest} (a consumer reading its own commit).
 *
 * <p><b>Batching</b> (leader only). {@link #commit} records the offset in a pending table, last writer wins per
 * queue, and returns a future completed when the entry carrying it is applied. {@link #flush} (every
 * {@code flushIntervalMs} once {@link #start}ed, and early when {@code batchUpdatesMax} queues are pending) drains
 * the whole table into entries of at most {@code batchUpdatesMax} updates each. Bounds: at most
 * {@code pendingQueuesMax} queues pending (further new queues are refused with {@link OffsetBacklogFullException});
 * a drain starts only while fewer than {@code inflightProposalsMax} entries are in flight, or when none are, so at
 * most {@code max(inflightProposalsMax, ceil(pendingQueuesMax / batchUpdatesMax))} entries are ever in flight.
 * A failed proposal fails its waiters; those offsets are lost and the consumer commits them again within 5 s
 * (at-least-once: the cost is redelivery, never loss of messages).
 *
 * <p>Invariant: every applied offset is >= 0; {@code inflight} >= 0.
 */
public final class ConsumerOffsetManager {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerOffsetManager.class);
    private static final char KEY_SEPARATOR = '@';

    private final MetadataProposer proposer;
    private final long flushIntervalMs;
    private final int batchUpdatesMax;
    private final int pendingQueuesMax;
    private final int inflightProposalsMax;

    /** Applied state: "topic@group" -> queueId -> offset (RocketMQ's key form). */
    private final ConcurrentHashMap<String, ConcurrentHashMap<Integer, Long>> applied = new ConcurrentHashMap<>();

    private final Object lock = new Object();
    /** Guarded by lock. Insertion-ordered; last writer wins per key. */
    private Map<OffsetUpdateKey, Long> pending = new LinkedHashMap<>();
    /** Offsets drained into proposals not completed yet (read by {@link #queryLatest}); removed on completion. */
    private final Map<OffsetUpdateKey, Long> proposed = new ConcurrentHashMap<>();
    /** Guarded by lock. Completed when the entries carrying the current pending table are applied. */
    private CompletableFuture<Void> pendingDone = new CompletableFuture<>();
    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicBoolean earlyFlushScheduled = new AtomicBoolean();
    private final AtomicLong commitsAccepted = new AtomicLong();
    private final AtomicLong commitsRefused = new AtomicLong();
    private final AtomicLong entriesProposed = new AtomicLong();
    private volatile ScheduledExecutorService scheduler;
    private volatile ScheduledFuture<?> flushTask;

    private record OffsetUpdateKey(String group, String topic, int queueId) {
    }

    /**
     * @param proposer             where offset entries are proposed
     * @param flushIntervalMs      flush period once started
     * @param batchUpdatesMax      updates per entry
     * @param pendingQueuesMax     distinct pending queues; at least batchUpdatesMax
     * @param inflightProposalsMax entries in flight before a drain waits
     */
    public ConsumerOffsetManager(MetadataProposer proposer, long flushIntervalMs, int batchUpdatesMax,
                                 int pendingQueuesMax, int inflightProposalsMax) {
        Verify.argument(proposer != null, "proposer is required");
        Verify.argument(flushIntervalMs >= 1 && batchUpdatesMax >= 1 && inflightProposalsMax >= 1,
                "offset batching limits must be >= 1");
        Verify.argument(pendingQueuesMax >= batchUpdatesMax, "pendingQueuesMax must be >= batchUpdatesMax");
        this.proposer = proposer;
        this.flushIntervalMs = flushIntervalMs;
        this.batchUpdatesMax = batchUpdatesMax;
        this.pendingQueuesMax = pendingQueuesMax;
        this.inflightProposalsMax = inflightProposalsMax;
    }

    private static String key(String topic, String group) {
        return topic + KEY_SEPARATOR + group;
    }

    // ------------------------------------------------------------------------------------------ reads

    /** The committed offset of the queue, or -1 if none is stored. */
    public long query(String group, String topic, int queueId) {
        Map<Integer, Long> q = applied.get(key(topic, group));
        Long v = q == null ? null : q.get(queueId);
        return v == null ? -1 : v;
    }

    /**
     * The offset a consumer committed last on this leader, pending, proposed or applied, or -1 if none: what
     * QUERY_CONSUMER_OFFSET answers, so a client that commits and then asks (as the official client does when it
     * takes an offset reset and re-balances at once) reads its own commit. A proposal that fails drops its offsets
     * here too (the consumer commits them again, as for any failed commit).
     */
    public long queryLatest(String group, String topic, int queueId) {
        OffsetUpdateKey k = new OffsetUpdateKey(group, topic, queueId);
        synchronized (lock) {
            Long p = pending.get(k);
            if (p != null) {
                return p;
            }
        }
        Long p = proposed.get(k);
        return p != null ? p : query(group, topic, queueId);
    }

    /** queueId -> committed offset of {@code group} on {@code topic}, sorted; empty if none. */
    public Map<Integer, Long> queueOffsets(String group, String topic) {
        Map<Integer, Long> q = applied.get(key(topic, group));
        return q == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(q));
    }

    /** Topics {@code group} has offsets for, sorted. */
    public Set<String> topicsOf(String group) {
        Set<String> out = new TreeSet<>();
        String suffix = KEY_SEPARATOR + group;
        for (String k : applied.keySet()) {
            if (k.endsWith(suffix) && k.length() > suffix.length()
                    && k.lastIndexOf(KEY_SEPARATOR, k.length() - suffix.length() - 1) < 0) {
                out.add(k.substring(0, k.length() - suffix.length()));
            }
        }
        return out;
    }

    /** Groups that have offsets on {@code topic}, sorted. */
    public Set<String> groupsOf(String topic) {
        Set<String> out = new TreeSet<>();
        String prefix = topic + KEY_SEPARATOR;
        for (String k : applied.keySet()) {
            if (k.startsWith(prefix)) {
                out.add(k.substring(prefix.length()));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ commits

    /**
     * Records a commit to be proposed with the next batch (last writer wins per queue).
     *
     * @return a future completed when the entry carrying this offset (or a later one for the queue) is applied;
     *     failed at once with {@link NotLeaderException} on a follower or {@link OffsetBacklogFullException} when
     *     the pending table is full, later with the proposer's errors
     */
    public CompletableFuture<Void> commit(String group, String topic, int queueId, long offset) {
        Verify.argument(queueId >= 0 && offset >= 0, "queueId and offset must be >= 0");
        if (!proposer.isLeader()) {
            commitsRefused.incrementAndGet();
            return CompletableFuture.failedFuture(new NotLeaderException(0));
        }
        CompletableFuture<Void> done;
        int size;
        synchronized (lock) {
            OffsetUpdateKey k = new OffsetUpdateKey(group, topic, queueId);
            if (pending.size() >= pendingQueuesMax && !pending.containsKey(k)) {
                commitsRefused.incrementAndGet();
                return CompletableFuture.failedFuture(new OffsetBacklogFullException(pendingQueuesMax));
            }
            pending.put(k, offset);
            done = pendingDone;
            size = pending.size();
        }
        commitsAccepted.incrementAndGet();
        if (size >= batchUpdatesMax) {
            requestEarlyFlush();
        }
        return done;
    }

    private void requestEarlyFlush() {
        ScheduledExecutorService s = scheduler;
        if (s != null && earlyFlushScheduled.compareAndSet(false, true)) {
            s.execute(() -> {
                earlyFlushScheduled.set(false);
                flush();
            });
        }
    }

    /**
     * Proposes the pending table as entries of at most batchUpdatesMax updates, unless too many entries are in
     * flight (then the table keeps coalescing until the next flush).
     *
     * @return the number of entries proposed
     */
    public int flush() {
        List<OffsetUpdate> drained;
        CompletableFuture<Void> done;
        synchronized (lock) {
            if (pending.isEmpty()) {
                return 0;
            }
            int chunks = (pending.size() + batchUpdatesMax - 1) / batchUpdatesMax;
            int busy = inflight.get();
            if (busy > 0 && busy + chunks > inflightProposalsMax) {
                return 0;
            }
            drained = new ArrayList<>(pending.size());
            for (Map.Entry<OffsetUpdateKey, Long> e : pending.entrySet()) {
                OffsetUpdateKey k = e.getKey();
                drained.add(new OffsetUpdate(k.group(), k.topic(), k.queueId(), e.getValue()));
            }
            done = pendingDone;
            proposed.putAll(pending);
            pending = new LinkedHashMap<>();
            pendingDone = new CompletableFuture<>();
        }
        return proposeChunks(drained, done);
    }

    private int proposeChunks(List<OffsetUpdate> drained, CompletableFuture<Void> done) {
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (int from = 0; from < drained.size(); from += batchUpdatesMax) {
            List<OffsetUpdate> chunk = drained.subList(from, Math.min(drained.size(), from + batchUpdatesMax));
            byte[] payload = ConsumerOffsetCodec.encode(chunk);
            inflight.incrementAndGet();
            entriesProposed.incrementAndGet();
            CompletableFuture<Void> f;
            try {
                f = proposer.propose(EntryType.CONSUMER_OFFSETS, payload);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            parts.add(f.whenComplete((r, e) -> {
                inflight.decrementAndGet();
                for (OffsetUpdate u : chunk) {
                    proposed.remove(new OffsetUpdateKey(u.group(), u.topic(), u.queueId()), u.offset());
                }
            }));
        }
        CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).whenComplete((r, e) -> {
            if (e != null) {
                LOG.warn("consumer offset entry not committed ({} updates dropped): {}", drained.size(),
                        e.toString());
                done.completeExceptionally(e);
            } else {
                done.complete(null);
            }
        });
        return parts.size();
    }

    /** Starts flushing every flushIntervalMs on {@code scheduler} (owned by the caller). */
    public void start(ScheduledExecutorService scheduler) {
        Verify.state(this.scheduler == null, "offset manager already started");
        this.scheduler = scheduler;
        this.flushTask = scheduler.scheduleWithFixedDelay(this::flushSafely, flushIntervalMs, flushIntervalMs,
                TimeUnit.MILLISECONDS);
    }

    private void flushSafely() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.error("consumer offset flush failed", e);
        }
    }

    /** Stops the periodic flush after one last flush. */
    public void stop() {
        ScheduledFuture<?> t = flushTask;
        if (t != null) {
            t.cancel(false);
        }
        flushSafely();
    }

    /** Queues waiting to be proposed. */
    public int pendingCount() {
        synchronized (lock) {
            return pending.size();
        }
    }

    /** Entries proposed and not yet completed. */
    public int inflightCount() {
        return inflight.get();
    }

    public long commitsAccepted() {
        return commitsAccepted.get();
    }

    public long commitsRefused() {
        return commitsRefused.get();
    }

    public long entriesProposed() {
        return entriesProposed.get();
    }

    // ------------------------------------------------------------------------------------------ applied state

    /** Applies a committed CONSUMER_OFFSETS entry (raft agent thread). */
    public void apply(List<OffsetUpdate> updates) {
        for (OffsetUpdate u : updates) {
            Verify.state(u.offset() >= 0, "applied offset must be >= 0", u.offset());
            applied.computeIfAbsent(key(u.topic(), u.group()), k -> new ConcurrentHashMap<>())
                    .put(u.queueId(), u.offset());
        }
    }

    /** Drops every offset on {@code topic} (applied TOPIC_DELETE). */
    public void dropTopic(String topic) {
        applied.keySet().removeIf(k -> k.startsWith(topic + KEY_SEPARATOR));
    }

    /** Drops every offset of {@code group} (applied GROUP_DELETE with cleanOffset). */
    public void dropGroup(String group) {
        for (String t : topicsOf(group)) {
            applied.remove(key(t, group));
        }
    }

    /**
     * The applied state, deterministic (sorted by group, topic, queueId):
     * {@code count (i32) | count x (group str16 | topic str16 | queueId i32 | offset i64)}.
     */
    public byte[] snapshot() {
        List<OffsetUpdate> all = new ArrayList<>();
        for (Map.Entry<String, ConcurrentHashMap<Integer, Long>> e : applied.entrySet()) {
            int at = e.getKey().indexOf(KEY_SEPARATOR);
            String topic = e.getKey().substring(0, at);
            String group = e.getKey().substring(at + 1);
            for (Map.Entry<Integer, Long> q : e.getValue().entrySet()) {
                all.add(new OffsetUpdate(group, topic, q.getKey(), q.getValue()));
            }
        }
        all.sort(OffsetUpdate.ORDER);
        PayloadWriter w = new PayloadWriter(16 + all.size() * 48);
        w.i32(all.size());
        for (OffsetUpdate u : all) {
            w.str(u.group()).str(u.topic()).i32(u.queueId()).i64(u.offset());
        }
        return w.toByteArray();
    }

    /** Replaces the applied state with a {@link #snapshot()} image (raft agent thread). */
    public void restore(byte[] image) {
        PayloadReader r = new PayloadReader(image, "consumer offset snapshot");
        int n = r.count(Integer.MAX_VALUE);
        List<OffsetUpdate> all = new ArrayList<>(Math.min(n, 1 << 16));
        for (int i = 0; i < n; i++) {
            all.add(new OffsetUpdate(r.strNonNull("group"), r.strNonNull("topic"), r.i32(), r.i64()));
        }
        r.end();
        applied.clear();
        apply(all);
    }
}
