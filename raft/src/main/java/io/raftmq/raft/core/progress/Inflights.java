package io.raftmq.raft.core.progress;

import io.raftmq.raft.Verify;

/**
 * The AppendEntries sent to one follower and not yet acknowledged, as a ring of their last indexes, bounded by
 * {@code capacity} (the pipelining limit). Invariant: stored indexes are strictly increasing, 0 <= count <=
 * capacity.
 */
public final class Inflights {
    private final long[] lastIndexes;
    private int start;
    private int count;

    public Inflights(int capacity) {
        Verify.argument(capacity >= 1, "inflight capacity must be >= 1");
        this.lastIndexes = new long[capacity];
    }

    /** Whether no more appends may be sent. */
    public boolean full() {
        return count == lastIndexes.length;
    }

    /** Number of unacknowledged appends. */
    public int count() {
        return count;
    }

    /** Records an append whose last entry is {@code lastIndex}. */
    public void add(long lastIndex) {
        Verify.state(!full(), "inflights full", count);
        if (count > 0) {
            Verify.state(lastIndex > newest(), "inflight indexes must increase", newest(), lastIndex);
        }
        lastIndexes[(start + count) % lastIndexes.length] = lastIndex;
        count++;
    }

    /** Forgets every append whose last index is {@code <= index} (acknowledged). */
    public void freeLE(long index) {
        while (count > 0 && lastIndexes[start] <= index) {
            start = (start + 1) % lastIndexes.length;
            count--;
        }
    }

    /** Forgets the oldest append, so one more can be sent (used when a heartbeat proves the follower alive). */
    public void freeFirstOne() {
        if (count > 0) {
            start = (start + 1) % lastIndexes.length;
            count--;
        }
    }

    /** Forgets everything. */
    public void reset() {
        start = 0;
        count = 0;
    }

    private long newest() {
        return lastIndexes[(start + count - 1) % lastIndexes.length];
    }
}
