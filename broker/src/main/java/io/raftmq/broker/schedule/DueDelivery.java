package io.raftmq.broker.schedule;

import io.raftmq.broker.produce.InternalSendException;
import io.raftmq.broker.produce.Redraft;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The leader's delivery of due messages, driven by {@link #tick(long)} (the broker calls it every
 * {@link #TICK_INTERVAL_MS} on its scheduler, never on the raft agent thread). Each tick, when this member may act
 * as leader ({@code readyTerm} &gt; 0):
 * <ol>
 *   <li>late messages ({@link DueState#lateMessages}) are delivered;</li>
 *   <li>the index is read from the cursor in due order up to {@code nowMs}; each parked message that is neither
 *       done nor in flight is read from the log and written to its real topic and queue (PREPAREDTRANSACTIONOFFSET
 *       = its position, DELAY removed, REAL_TOPIC / REAL_QID and timer properties kept, store time now), at most
 *       {@link #IN_FLIGHT_MAX} at once;</li>
 *   <li>once everything due up to some time T above the cursor is committed, {@code TIMER_PROGRESS(T)} is proposed
 *       (one proposal at a time).</li>
 * </ol>
 * A real topic that does not exist (or a source that cannot be read) is skipped with a WARN: the cursor moves past
 * it. A delivery whose outcome is unknown (commit timeout) stays in flight until the cursor passes it or the term
 * changes: it commits in this term (and marks its source done) or never. A delivery not answered at all when the
 * term changes (still queued in the send batcher) stays in flight across the change until it is answered.
 *
 * <p>Threads: {@link #tick} on one thread at a time; completions arrive on the raft agent thread.
 */
public final class DueDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(DueDelivery.class);
    /** How often the broker ticks the service. */
    public static final long TICK_INTERVAL_MS = 100;
    /** Deliveries proposed and not yet committed, at most. */
    public static final int IN_FLIGHT_MAX = 1024;

    /** Reads {@code size} bytes of the log at {@code physicalOffset} (a whole stored message). */
    @FunctionalInterface
    public interface SourceReader {
        ByteBuffer read(long physicalOffset, int size);
    }

    /** Writes a message through the Raft log (InternalProducer#submit). */
    @FunctionalInterface
    public interface Deliverer {
        CompletableFuture<?> deliver(MessageDraft draft);
    }

    /** Proposes a TIMER_PROGRESS payload; completes when committed. */
    @FunctionalInterface
    public interface ProgressProposer {
        CompletableFuture<?> propose(byte[] payload);
    }

    private final DueState state;
    private final DueIndex index;
    private final SourceReader reader;
    private final Deliverer deliverer;
    private final ProgressProposer proposer;
    private final Predicate<String> topicExists;
    private final LongSupplier readyTerm;
    /** In-flight and skip entries of late messages: they are below the cursor, so never pruned by it. */
    private static final long LATE = Long.MAX_VALUE;
    /** Source position to due time (or {@link #LATE}), of deliveries not yet committed. */
    private final Map<Long, Long> inFlight = new ConcurrentHashMap<>();
    /**
     * Source positions of deliveries whose future has not completed: still waiting in the send batcher or the
     * agent's queue, they may yet be proposed (and commit) in a later term of this member, so a term change keeps
     * them in flight (docs/messaging.md "Delay levels and timer messages", "Failover").
     */
    private final Set<Long> unanswered = ConcurrentHashMap.newKeySet();
    /** Source position to due time (or {@link #LATE}), of sources skipped (tick thread only). */
    private final Map<Long, Long> skipped = new HashMap<>();
    private final AtomicBoolean progressInFlight = new AtomicBoolean();
    private final StoredMessage source = new StoredMessage();
    private DueIndex.Slice slice;
    private DueIndex.Slice previousSlice;
    private long term;
    private long deliveries;
    private long skips;

    public DueDelivery(DueState state, DueIndex index, SourceReader reader, Deliverer deliverer,
                       ProgressProposer proposer, Predicate<String> topicExists, LongSupplier readyTerm) {
        this.state = state;
        this.index = index;
        this.reader = reader;
        this.deliverer = deliverer;
        this.proposer = proposer;
        this.topicExists = topicExists;
        this.readyTerm = readyTerm;
    }

    /** One round at wall-clock time {@code nowMs}. */
    public void tick(long nowMs) {
        long t = readyTerm.getAsLong();
        if (t != term) {
            // ready: whatever an earlier term committed is applied (marked), the rest is gone, except deliveries
            // not answered yet: they may still be proposed in this term
            inFlight.keySet().retainAll(unanswered);
            skipped.clear();
            slice = null;
            previousSlice = null;
            progressInFlight.set(false);
            term = t;
            if (t != 0) {
                LOG.info("due-message delivery resumes in term {} from cursor {}", t, state.cursorMs());
            }
        }
        if (t == 0) {
            return;
        }
        long cursor = state.cursorMs();
        inFlight.values().removeIf(due -> due <= cursor);
        // late ones committed although their outcome was reported unknown
        inFlight.entrySet().removeIf(e -> e.getValue() == LATE && !state.isLate(e.getKey()));
        skipped.values().removeIf(due -> due <= cursor);
        long parkedSeen = state.parked(); // read before the index: whatever is parked later may be unseen
        deliverLate(nowMs);
        long frontier = scan(cursor, nowMs);
        if (frontier > cursor && progressInFlight.compareAndSet(false, true)) {
            proposer.propose(TimerProgressCodec.encode(frontier, parkedSeen))
                .whenComplete((r, e) -> progressInFlight.set(false));
        }
    }

    private void deliverLate(long nowMs) {
        for (DueState.Late l : state.lateMessages()) {
            if (inFlight.size() >= IN_FLIGHT_MAX) {
                return;
            }
            if (!inFlight.containsKey(l.physicalOffset()) && !skipped.containsKey(l.physicalOffset())
                && state.isLate(l.physicalOffset())) {
                deliver(l.physicalOffset(), l.size(), LATE, nowMs); // below the cursor: not pruned by it
            }
        }
    }

    /**
     * Delivers what is due in (cursor, now] in due order; returns the highest time up to which everything is done
     * (now when everything is), or the cursor when that would pass no done entry (an idle broker proposes nothing).
     */
    private long scan(long cursor, long nowMs) {
        long frontier = nowMs;
        boolean blocked = false;
        boolean passes = false; // the frontier passes a done entry: only then is a progress entry worth its cost
        for (long b = index.bucketAtOrAfter(cursor + 1); b >= 0 && b <= nowMs;
             b = index.bucketAtOrAfter(b + DueIndex.BUCKET_MS)) {
            DueIndex.Slice s = load(b);
            for (int i = 0; i < s.size(); i++) {
                long due = s.dueMs(i);
                if (due <= cursor) {
                    continue;
                }
                if (due > nowMs) {
                    return passes ? frontier : cursor;
                }
                long phys = s.physicalOffset(i);
                if (inFlight.containsKey(phys)) { // checked before the marks: a completion removes it after marking
                    if (state.isDone(phys, due)) { // committed although its outcome was reported unknown
                        inFlight.remove(phys);
                        passes |= !blocked;
                        continue;
                    }
                    frontier = blocked ? frontier : due - 1;
                    blocked = true;
                    continue;
                }
                if (state.isDone(phys, due) || skipped.containsKey(phys)) {
                    passes |= !blocked;
                    continue;
                }
                frontier = blocked ? frontier : due - 1;
                blocked = true;
                if (inFlight.size() >= IN_FLIGHT_MAX) {
                    return passes ? frontier : cursor;
                }
                deliver(phys, s.messageSize(i), due, nowMs);
            }
        }
        return passes ? frontier : cursor;
    }

    /** The bucket's entries; the last two buckets read are kept and extended by what was appended since. */
    private DueIndex.Slice load(long bucket) {
        if (slice != null && slice.bucket() == bucket) {
            slice = index.extend(slice);
            return slice;
        }
        DueIndex.Slice s = previousSlice != null && previousSlice.bucket() == bucket ? index.extend(previousSlice)
            : index.load(bucket);
        previousSlice = slice;
        slice = s;
        return s;
    }

    /** Delivers the source at {@code phys}; {@code due} is kept with it in flight ({@link #LATE} for late ones). */
    private void deliver(long phys, int size, long due, long nowMs) {
        MessageDraft draft = draft(phys, size, nowMs);
        if (draft == null) {
            skipped.put(phys, due);
            skips++;
            return;
        }
        inFlight.put(phys, due);
        unanswered.add(phys);
        deliveries++;
        deliverer.deliver(draft).whenComplete((r, e) -> {
            unanswered.remove(phys);
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof InternalSendException ise && ise.responseCode() == ResponseCode.SYSTEM_ERROR) {
                LOG.warn("delivery of the parked message at {} has an unknown outcome: {}", phys, ise.getMessage());
                return; // stays in flight: it commits in this term or never
            }
            if (cause != null) {
                LOG.debug("delivery of the parked message at {} failed, retried: {}", phys, cause.toString());
            }
            inFlight.remove(phys);
        });
    }

    /** The delivered copy of the parked message at {@code phys}, or null (skip) when it cannot be delivered. */
    private MessageDraft draft(long phys, int size, long nowMs) {
        StoredMessage m;
        try {
            m = source.wrap(reader.read(phys, size), 0);
        } catch (RuntimeException e) { // truncated by retention, or not a message: nothing to deliver
            LOG.warn("parked message at {} cannot be read, skipped: {}", phys, e.toString());
            return null;
        }
        String props = m.properties();
        String realTopic = MessageProperties.get(props, DueTime.REAL_TOPIC);
        int realQueue = parseQueue(MessageProperties.get(props, DueTime.REAL_QID));
        if (realTopic == null || realQueue < 0 || !topicExists.test(realTopic)) {
            LOG.warn("parked message at {} is for topic {} queue {}, which does not exist: skipped", phys,
                realTopic, realQueue);
            return null;
        }
        return Redraft.from(m).topic(realTopic).queueId(realQueue).properties(deliveredProperties(props))
            .storeTimestamp(nowMs).preparedTransactionOffset(phys);
    }

    /** The delivered copy's properties: the parked ones without DELAY (so it is not parked again). */
    static String deliveredProperties(String parked) {
        if (MessageProperties.get(parked, DueTime.DELAY) == null) {
            return parked;
        }
        Map<String, String> m = MessageProperties.decode(parked);
        m.remove(DueTime.DELAY);
        return MessageProperties.encode(m);
    }

    private static int parseQueue(String v) {
        if (v == null) {
            return -1;
        }
        try {
            return Math.max(-1, Integer.parseInt(v));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Deliveries proposed since the start (a counter). */
    public long deliveries() {
        return deliveries;
    }

    /** Sources skipped since the start (a counter). */
    public long skips() {
        return skips;
    }

    /** Deliveries in flight now (a gauge). */
    public int inFlight() {
        return inFlight.size();
    }
}
