package io.raftmq.broker.pop;

import io.raftmq.broker.metadata.MetadataStateMachine;
import io.raftmq.broker.processor.store.StoreQueryProcessor;
import io.raftmq.broker.replication.ReplicatedEntryHandler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replicated pop consumption state (docs/consumer-protocol.md "Pop consumption"): the request mode of each
 * (topic, group) set to POP, and per (group, topic, queue) the next never-popped offset and the in-flight offsets
 * (handed out, not acked yet: pop time, invisible time, reconsume count and the nonce of the entry that granted
 * them). Every member applies the same {@code POP} entries in log order and decides only from the times written in
 * them, so every member holds the same state; after a failover the new leader hands out exactly the offsets that
 * were not acked, once their invisible time has passed.
 *
 * <p>Bounded: an acked offset leaves the in-flight set at once, and the leader pops no more from a queue holding
 * {@link #IN_FLIGHT_MAX} in-flight offsets. Threads: {@link #apply} on the raft agent thread, queries on any.
 */
public final class PopState implements ReplicatedEntryHandler, MetadataStateMachine.DeletionListener,
        StoreQueryProcessor.PopProgress {
    /** The leader hands out nothing more from a queue with this many offsets in flight. */
    public static final int IN_FLIGHT_MAX = 4096;

    private final Map<ModeKey, Integer> modes = new HashMap<>();
    private final Map<QueueKey, QueueState> queues = new HashMap<>();

    /** A (topic, group) whose consumers pop. */
    public record ModeKey(String topic, String group) {
    }

    /** A queue as one group pops it. */
    public record QueueKey(String group, String topic, int queueId) {
    }

    /**
     * One handed-out offset.
     *
     * @param popTimeMs   when it was last handed out (or its invisible time changed), leader clock
     * @param invisibleMs how long after {@code popTimeMs} it stays invisible
     * @param reconsume   how many times it was handed out again
     * @param nonce       the nonce of the POP entry that last handed it out
     */
    public record Flight(long popTimeMs, long invisibleMs, int reconsume, long nonce) {
        /** Whether it may be handed out again at {@code nowMs}. */
        public boolean expired(long nowMs) {
            return nowMs >= popTimeMs + invisibleMs;
        }
    }

    /** A queue's state, copied out (snapshot and queries). */
    public record QueueView(QueueKey key, long next, TreeMap<Long, Flight> flights) {
    }

    private static final class QueueState {
        long next;
        final TreeMap<Long, Flight> flights = new TreeMap<>();

        QueueState(long next) {
            this.next = next;
        }
    }

    @Override
    public void apply(long index, byte[] payload) {
        apply(PopCodec.decode(payload));
    }

    /** Applies one entry (the same on every member). */
    public synchronized void apply(PopEntry e) {
        if (e instanceof PopEntry.Mode m) {
            ModeKey k = new ModeKey(m.topic(), m.group());
            if (m.pop()) {
                modes.put(k, m.popShareQueueNum());
            } else {
                modes.remove(k);
            }
        } else if (e instanceof PopEntry.Pop p) {
            applyPop(p);
        } else if (e instanceof PopEntry.Batch b) {
            b.items().forEach(this::apply); // in order, as entries of their own (docs/consumer-protocol.md)
        } else if (e instanceof PopEntry.Ack a) {
            QueueState q = queues.get(new QueueKey(a.group(), a.topic(), a.queueId()));
            for (long o : a.offsets()) {
                Flight f = q == null ? null : q.flights.get(o);
                if (f != null && f.popTimeMs() == a.popTimeMs()) {
                    q.flights.remove(o);
                }
            }
        } else {
            PopEntry.Change c = (PopEntry.Change) e;
            QueueState q = queues.get(new QueueKey(c.group(), c.topic(), c.queueId()));
            Flight f = q == null ? null : q.flights.get(c.offset());
            if (f != null && f.popTimeMs() == c.popTimeMs()) {
                q.flights.put(c.offset(), new Flight(c.nowMs(), c.invisibleMs(), f.reconsume(), f.nonce()));
            }
        }
    }

    private void applyPop(PopEntry.Pop p) {
        QueueKey k = new QueueKey(p.group(), p.topic(), p.queueId());
        QueueState q = queues.get(k);
        boolean fresh = q == null || q.next == p.from();
        if (q == null) {
            q = new QueueState(p.from());
            queues.put(k, q);
        }
        for (long o : p.offsets()) {
            if (o >= p.from() && o < p.to()) {
                if (fresh) {
                    q.flights.put(o, new Flight(p.popTimeMs(), p.invisibleMs(), 0, p.nonce()));
                }
            } else {
                Flight f = q.flights.get(o);
                if (f != null && f.expired(p.popTimeMs())) {
                    q.flights.put(o, new Flight(p.popTimeMs(), p.invisibleMs(), f.reconsume() + 1, p.nonce()));
                }
            }
        }
        if (fresh) {
            q.next = Math.max(q.next, p.to());
        }
    }

    /** The popShareQueueNum of (topic, group) when its consumers pop; null when they pull. */
    public synchronized Integer popShareQueueNum(String topic, String group) {
        return modes.get(new ModeKey(topic, group));
    }

    /** The next never-popped offset of the queue; -1 when the group never popped it. */
    public synchronized long next(QueueKey k) {
        QueueState q = queues.get(k);
        return q == null ? -1 : q.next;
    }

    /** The in-flight offsets of the queue (a copy, in offset order). */
    public synchronized TreeMap<Long, Flight> flights(QueueKey k) {
        QueueState q = queues.get(k);
        return q == null ? new TreeMap<>() : new TreeMap<>(q.flights);
    }

    /**
     * The offset below which every message of the queue was popped and acknowledged (or went to the dead-letter
     * queue): the first in-flight offset, else the next never-popped one; -1 when the group never popped the queue.
     * What GET_CONSUME_STATS reports as a pop group's consumer offset (docs/consumer-protocol.md "Pop consumption").
     */
    public synchronized long ackedThrough(QueueKey k) {
        QueueState q = queues.get(k);
        if (q == null) {
            return -1;
        }
        return q.flights.isEmpty() ? q.next : Math.min(q.flights.firstKey(), q.next);
    }

    /** As {@link #ackedThrough(QueueKey)}: GET_CONSUME_STATS' consumer offset of a pop group. */
    @Override
    public long ackedThrough(String group, String topic, int queueId) {
        return ackedThrough(new QueueKey(group, topic, queueId));
    }

    /** The topics {@code group} popped from, sorted. */
    @Override
    public synchronized Set<String> topicsOf(String group) {
        Set<String> out = new TreeSet<>();
        for (QueueKey k : queues.keySet()) {
            if (k.group().equals(group)) {
                out.add(k.topic());
            }
        }
        return out;
    }

    /** A deleted topic takes its request modes and every group's pop state of its queues with it. */
    @Override
    public synchronized void onTopicDeleted(String topic) {
        modes.keySet().removeIf(k -> k.topic().equals(topic));
        queues.keySet().removeIf(k -> k.topic().equals(topic));
    }

    /** A group deleted with its offsets loses its request modes and pop state too. */
    @Override
    public synchronized void onGroupDropped(String group) {
        modes.keySet().removeIf(k -> k.group().equals(group));
        queues.keySet().removeIf(k -> k.group().equals(group));
    }

    /** How many offsets are in flight, all queues of all groups together. */
    public synchronized int inFlightTotal() {
        int n = 0;
        for (QueueState q : queues.values()) {
            n += q.flights.size();
        }
        return n;
    }

    /** How many offsets of the queue are in flight. */
    public synchronized int inFlight(QueueKey k) {
        QueueState q = queues.get(k);
        return q == null ? 0 : q.flights.size();
    }

    /** Whether an in-flight offset of the queue may be handed out again at {@code nowMs} (no copy made). */
    public synchronized boolean anyExpired(QueueKey k, long nowMs) {
        QueueState q = queues.get(k);
        if (q != null) {
            for (Flight f : q.flights.values()) {
                if (f.expired(nowMs)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The in-flight offset {@code offset} of the queue; null when it is not in flight. */
    public synchronized Flight flight(QueueKey k, long offset) {
        QueueState q = queues.get(k);
        return q == null ? null : q.flights.get(offset);
    }

    /** Every mode setting (snapshot). */
    synchronized Map<ModeKey, Integer> modes() {
        return new HashMap<>(modes);
    }

    /** Every queue's state, copied (snapshot). */
    synchronized List<QueueView> queues() {
        List<QueueView> out = new ArrayList<>(queues.size());
        for (Map.Entry<QueueKey, QueueState> e : queues.entrySet()) {
            out.add(new QueueView(e.getKey(), e.getValue().next, new TreeMap<>(e.getValue().flights)));
        }
        return out;
    }

    /** Replaces the whole state (a snapshot's). */
    synchronized void replaceAll(Map<ModeKey, Integer> newModes, List<QueueView> newQueues) {
        modes.clear();
        modes.putAll(newModes);
        queues.clear();
        for (QueueView v : newQueues) {
            QueueState q = new QueueState(v.next());
            q.flights.putAll(v.flights());
            queues.put(v.key(), q);
        }
    }
}
