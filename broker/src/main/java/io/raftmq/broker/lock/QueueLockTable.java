package io.raftmq.broker.lock;

import io.raftmq.broker.replication.ReplicatedEntryHandler;
import io.raftmq.client.protocol.body.MessageQueue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The orderly-consumption lock table, per (consumer group, queue): which client holds the queue and the time of its
 * last lock call. It is replicated state (docs/messaging.md "Ordered consumption"): every member applies the same
 * {@code QUEUE_LOCK} entries in log order, and every decision uses only the times written in the entry, so every
 * member holds the same table.
 *
 * <p>Lock rule (RocketMQ's): a queue is granted to the caller when it is free, already held by the same clientId, or
 * expired; a granted queue's last lock time becomes the entry's {@code nowMs}. A lock has expired when more than
 * {@code expiryMs} passed since {@code max(last lock time, readyMs)}: the leader that proposed the entry counts
 * every lock as renewed at the moment it became ready, which only makes locks last longer after a failover.
 * Unlock removes the queues the caller holds and leaves the others alone.
 *
 * <p>At most {@link #LOCKS_MAX} locks: when full, expired locks are dropped first; a new lock that still does not
 * fit is refused (the same on every member). Threads: {@link #apply} on the raft agent thread, queries on any.
 */
public final class QueueLockTable implements ReplicatedEntryHandler {
    /** Bound on the number of (group, queue) locks held. */
    public static final int LOCKS_MAX = 1 << 17;

    private final int locksMax;
    private final Map<Key, Holder> locks = new HashMap<>();

    private record Key(String group, MessageQueue queue) {
    }

    /** Mutable: holder and last lock time (leader wall clock). */
    private static final class Holder {
        String clientId;
        long lastLockMs;

        Holder(String clientId, long lastLockMs) {
            this.clientId = clientId;
            this.lastLockMs = lastLockMs;
        }

        boolean expired(long nowMs, long readyMs, long expiryMs) {
            return nowMs - Math.max(lastLockMs, readyMs) > expiryMs;
        }
    }

    public QueueLockTable() {
        this(LOCKS_MAX);
    }

    /** A table holding at most {@code locksMax} locks (tests use small bounds). */
    public QueueLockTable(int locksMax) {
        if (locksMax < 1) {
            throw new IllegalArgumentException("locksMax must be positive, got " + locksMax);
        }
        this.locksMax = locksMax;
    }

    @Override
    public void apply(long index, byte[] payload) {
        apply(QueueLockCodec.decode(payload));
    }

    /** Applies one lock call; returns the queues of the call that the caller holds afterwards (in call order). */
    public synchronized List<MessageQueue> apply(QueueLockEntry e) {
        List<MessageQueue> held = new ArrayList<>(e.queues().size());
        for (MessageQueue q : e.queues()) {
            Key k = new Key(e.group(), q);
            if (e.lock()) {
                if (tryLock(k, e)) {
                    held.add(q);
                }
            } else {
                Holder h = locks.get(k);
                if (h != null && h.clientId.equals(e.clientId())) {
                    locks.remove(k);
                }
            }
        }
        return held;
    }

    private boolean tryLock(Key k, QueueLockEntry e) {
        Holder h = locks.get(k);
        if (h == null) {
            if (locks.size() >= locksMax) {
                locks.values().removeIf(x -> x.expired(e.nowMs(), e.readyMs(), e.expiryMs()));
                if (locks.size() >= locksMax) {
                    return false;
                }
            }
            locks.put(k, new Holder(e.clientId(), e.nowMs()));
            return true;
        }
        if (h.clientId.equals(e.clientId()) || h.expired(e.nowMs(), e.readyMs(), e.expiryMs())) {
            h.clientId = e.clientId();
            h.lastLockMs = Math.max(h.lastLockMs, e.nowMs());
            return true;
        }
        return false;
    }

    /**
     * The queues among {@code queues} that {@code clientId} holds in {@code group} and that have not expired at
     * {@code nowMs} (no renewal counted): what a member that may not grant locks reports.
     */
    public synchronized List<MessageQueue> heldBy(String group, String clientId, List<MessageQueue> queues,
                                                  long nowMs, long expiryMs) {
        List<MessageQueue> out = new ArrayList<>();
        for (MessageQueue q : queues) {
            Holder h = locks.get(new Key(group, q));
            if (h != null && h.clientId.equals(clientId) && !h.expired(nowMs, 0, expiryMs)) {
                out.add(q);
            }
        }
        return out;
    }

    /** The holder of {@code queue} in {@code group}, expired or not; null when nobody holds it. */
    public synchronized String holder(String group, MessageQueue queue) {
        Holder h = locks.get(new Key(group, queue));
        return h == null ? null : h.clientId;
    }

    /**
     * One lock as a snapshot holds it ({@link QueueLockSnapshotPart}).
     *
     * @param lastLockMs the proposing leader's wall clock at the last grant or renewal
     */
    record Held(String group, MessageQueue queue, String clientId, long lastLockMs) {
    }

    /** Every lock (expired ones included), sorted by group then queue: the same order on every member. */
    synchronized List<Held> held() {
        List<Held> out = new ArrayList<>(locks.size());
        for (Map.Entry<Key, Holder> e : locks.entrySet()) {
            out.add(new Held(e.getKey().group(), e.getKey().queue(), e.getValue().clientId,
                e.getValue().lastLockMs));
        }
        out.sort(Comparator.comparing(Held::group).thenComparing(Held::queue));
        return out;
    }

    /** Replaces the whole table with {@code held} (a snapshot's). */
    synchronized void replaceAll(List<Held> held) {
        locks.clear();
        for (Held h : held) {
            locks.put(new Key(h.group(), h.queue()), new Holder(h.clientId(), h.lastLockMs()));
        }
    }

    /** Number of locks held (expired ones included until dropped). */
    public synchronized int size() {
        return locks.size();
    }
}
