package io.raftmq.client.consumer;

import io.raftmq.client.protocol.body.MessageQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A queue this consumer is assigned: the messages pulled and not yet consumed (by queue offset), what flow control
 * counts, where the next pull starts, and for orderly consumption the broker lock and the batch being consumed.
 *
 * <p>The offset to commit is the smallest offset still cached (an unconsumed message is never skipped by a commit,
 * even while later ones are done: concurrent listeners finish out of order), or one past the last pulled message
 * when none is cached. Invariant: every cached offset {@literal <} {@code pulledUpTo}. Thread-safe: the pull side
 * (event loop) and listener threads call in under this object's monitor; the flags are volatile.
 */
final class ProcessQueue {
    final MessageQueue queue;
    /** Orderly: one listener call per queue at a time. */
    final AtomicBoolean consuming = new AtomicBoolean();
    private final TreeMap<Long, ReceivedMessage> cached = new TreeMap<>();
    /** Orderly: taken from {@link #cached} for the listener call in progress. */
    private final TreeMap<Long, ReceivedMessage> taken = new TreeMap<>();
    /** Orderly: failed deliveries per offset (local retries). */
    private final Map<Long, Integer> failures = new TreeMap<>();
    private long cachedBytes;
    /** One past the highest offset ever put (the commit point when nothing is cached). */
    private long pulledUpTo;
    private volatile boolean dropped;
    private volatile boolean locked;
    private volatile long lockedAtNs;
    /** Where the next pull starts; touched by the single pull in flight only. */
    volatile long nextOffset;

    ProcessQueue(MessageQueue queue, long startOffset) {
        this.queue = queue;
        this.nextOffset = startOffset;
        this.pulledUpTo = startOffset;
    }

    /**
     * Adds pulled messages (offsets increasing) and records that the pulls have read up to {@code pulledTo}
     * (exclusive; messages filtered out before it are consumed by definition), in one step so a commit never passes
     * a message not yet cached. Returns how many were new.
     */
    synchronized int put(List<ReceivedMessage> messages, long pulledTo) {
        pulledUpTo = Math.max(pulledUpTo, pulledTo);
        int added = 0;
        for (ReceivedMessage m : messages) {
            if (!taken.containsKey(m.queueOffset()) && cached.putIfAbsent(m.queueOffset(), m) == null) {
                cachedBytes += m.storeSize();
                added++;
            }
            pulledUpTo = Math.max(pulledUpTo, m.queueOffset() + 1);
        }
        return added;
    }

    /** Removes consumed messages; returns the offset to commit. */
    synchronized long remove(List<ReceivedMessage> messages) {
        for (ReceivedMessage m : messages) {
            if (cached.remove(m.queueOffset()) != null) {
                cachedBytes -= m.storeSize();
            }
        }
        return commitPoint();
    }

    /** The offset to commit now (see the class comment). */
    synchronized long commitPoint() {
        if (!taken.isEmpty()) {
            return taken.firstKey();
        }
        return cached.isEmpty() ? pulledUpTo : cached.firstKey();
    }

    /** Whether more messages or bytes than allowed wait for a listener (pulls then pause). */
    synchronized boolean overLimit(int messagesMax, long bytesMax) {
        return cached.size() + taken.size() > messagesMax || cachedBytes > bytesMax;
    }

    synchronized int cachedCount() {
        return cached.size() + taken.size();
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** Orderly: moves the first {@code n} cached messages to the batch in progress and returns them. */
    synchronized List<ReceivedMessage> take(int n) {
        List<ReceivedMessage> out = new ArrayList<>();
        while (out.size() < n && !cached.isEmpty()) {
            Map.Entry<Long, ReceivedMessage> e = cached.pollFirstEntry();
            taken.put(e.getKey(), e.getValue());
            out.add(e.getValue());
        }
        return out;
    }

    /** Orderly: the batch in progress is done; returns the offset to commit. */
    synchronized long commitTaken() {
        for (ReceivedMessage m : taken.values()) {
            cachedBytes -= m.storeSize();
            failures.remove(m.queueOffset());
        }
        taken.clear();
        return commitPoint();
    }

    /**
     * Orderly: the batch in progress failed; it goes back in front of the cache. Returns the highest number of
     * failures of one of its messages so far (this one included).
     */
    synchronized int rollbackTaken() {
        int worst = 0;
        for (ReceivedMessage m : taken.values()) {
            worst = Math.max(worst, failures.merge(m.queueOffset(), 1, Integer::sum));
        }
        cached.putAll(taken);
        taken.clear();
        return worst;
    }

    /** Orderly: puts the batch in progress back in front of the cache without counting a failure. */
    synchronized void untake() {
        cached.putAll(taken);
        taken.clear();
    }

    synchronized boolean hasCached() {
        return !cached.isEmpty();
    }

    /** Stops everything for this queue (reassigned or shut down); pulls and listeners check it. */
    void drop() {
        dropped = true;
    }

    boolean dropped() {
        return dropped;
    }

    void locked(boolean held, long nowNs) {
        locked = held;
        if (held) {
            lockedAtNs = nowNs;
        }
    }

    /** Orderly: held and renewed within {@code expiryNs}. */
    boolean lockValid(long nowNs, long expiryNs) {
        return locked && nowNs - lockedAtNs < expiryNs;
    }
}
