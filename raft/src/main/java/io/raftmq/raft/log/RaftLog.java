package io.raftmq.raft.log;

import java.util.List;

/**
 * Port: the stable (written) part of a Raft log. The core only reads it; the driver writes the entries a
 * {@link io.raftmq.raft.core.Ready} hands out, in the order the Ready contract prescribes. Implementations:
 * {@link MemoryRaftLog} for tests, and an adapter over the broker's commitlog in another module.
 *
 * <p>Index ranges: the log holds entries {@code [firstIndex, lastIndex]}; {@code firstIndex - 1} is the
 * compaction point (snapshot index or 0) whose term is still known. An empty log has
 * {@code lastIndex == firstIndex - 1}.
 *
 * <p>Threading: one thread (the raft agent) calls every method, except {@link #sync()}, which one other thread
 * (the agent's log syncer) may call concurrently with the agent's appends, truncations, resets and reads: the
 * implementation orders them (a sync makes every write that returned before it started durable; a truncation or
 * reset racing a sync is durable on return by itself). Returned lists and entries are owned by the caller but
 * their payload arrays are shared and must not be mutated.
 *
 * <p>Errors: {@link LogCompactedException} for indexes below {@code firstIndex - 1};
 * {@link LogStorageException} for storage failures; {@link IllegalArgumentException} for calls that break the
 * documented preconditions (a bug in the caller).
 */
public interface RaftLog {
    /** First retained entry index; 1 for a fresh log, {@code snapshotIndex + 1} after compaction or reset. */
    long firstIndex();

    /** Last entry index, or {@code firstIndex() - 1} when no entry is retained. */
    long lastIndex();

    /**
     * Term of the entry at {@code index}, for {@code index} in {@code [firstIndex - 1, lastIndex]}; the term of
     * index {@code firstIndex - 1} is the compaction (snapshot) term, 0 for a fresh log.
     *
     * @throws LogCompactedException if {@code index < firstIndex - 1}
     * @throws IllegalArgumentException if {@code index > lastIndex}
     */
    long term(long index);

    /**
     * Entries {@code [lo, hi)} with {@code firstIndex <= lo <= hi <= lastIndex + 1}, cut short once their
     * {@link Entry#sizeBytes()} would exceed {@code maxBytes}; at least one entry is returned when {@code lo < hi}.
     *
     * @throws LogCompactedException if {@code lo < firstIndex}
     */
    List<Entry> entries(long lo, long hi, long maxBytes);

    /**
     * Appends contiguous entries; {@code entries.get(0).index() == lastIndex() + 1}. Written, not necessarily
     * durable until {@link #sync()} returns.
     */
    void append(List<Entry> entries);

    /** Removes entries {@code [fromIndex, lastIndex]}; {@code firstIndex <= fromIndex <= lastIndex + 1}. */
    void truncateSuffix(long fromIndex);

    /**
     * Discards every entry and restarts the log after a snapshot: afterwards {@code firstIndex == index + 1},
     * {@code lastIndex == index} and {@code term(index) == term}. Durable on return.
     */
    void resetToSnapshot(long index, long term);

    /**
     * Blocks until every append and truncation that returned before this call is durable (fsync). May run on the
     * log syncer's thread while the agent keeps writing; writes made meanwhile may or may not be covered.
     */
    void sync();

    /**
     * Writes a Ready's entries: truncates the suffix they replace (when their first index is not past
     * {@code lastIndex}) and appends them. Not durable until {@link #sync()}.
     */
    default void write(List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long first = entries.get(0).index();
        if (first <= lastIndex()) {
            truncateSuffix(first);
        }
        append(entries);
    }
}
