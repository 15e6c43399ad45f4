package io.raftmq.raft.log;

import io.raftmq.raft.Verify;

import java.util.ArrayList;
import java.util.List;

/**
 * In-memory {@link RaftLog} for tests and the simulator. It separates the durable part (what survived the last
 * {@link #sync()}) from the volatile part, and {@link #crash()} drops everything not yet synced, including
 * unsynced truncations, which reappear as a real disk would show them. {@link #compact(long)} and
 * {@link #resetToSnapshot(long, long)} are durable on return.
 *
 * <p>Invariant: the durable log is {@code entries[0, durablePrefix) ++ durableTail}.
 *
 * <p>Threading: every method is synchronized, so a log syncer thread may call {@link #sync()} while the agent
 * appends and truncates (the {@link RaftLog} contract); a sync makes durable whatever was written before it.
 */
public final class MemoryRaftLog implements RaftLog {
    private final ArrayList<Entry> entries = new ArrayList<>();
    /** Durable entries removed by an unsynced truncation; they come back on {@link #crash()}. */
    private final ArrayList<Entry> durableTail = new ArrayList<>();
    private long snapshotIndex;
    private long snapshotTerm;
    /** Number of leading {@link #entries} that are durable. Invariant: 0 <= durablePrefix <= entries.size(). */
    private int durablePrefix;

    @Override
    public synchronized long firstIndex() {
        return snapshotIndex + 1;
    }

    @Override
    public synchronized long lastIndex() {
        return snapshotIndex + entries.size();
    }

    @Override
    public synchronized long term(long index) {
        if (index < snapshotIndex) {
            throw new LogCompactedException(index, firstIndex());
        }
        Verify.argument(index <= lastIndex(), "term asked past lastIndex");
        if (index == snapshotIndex) {
            return snapshotTerm;
        }
        return entries.get(offset(index)).term();
    }

    @Override
    public synchronized List<Entry> entries(long lo, long hi, long maxBytes) {
        if (lo < firstIndex()) {
            throw new LogCompactedException(lo, firstIndex());
        }
        Verify.argument(lo <= hi && hi <= lastIndex() + 1, "entries range outside the log");
        List<Entry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = lo; i < hi; i++) {
            Entry e = entries.get(offset(i));
            bytes += e.sizeBytes();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public synchronized void append(List<Entry> batch) {
        long expected = lastIndex() + 1;
        for (Entry e : batch) {
            Verify.argument(e.index() == expected, "append must be contiguous at lastIndex + 1");
            Verify.argument(e.term() >= term(expected - 1), "append must not decrease the term");
            entries.add(e);
            expected++;
        }
    }

    @Override
    public synchronized void truncateSuffix(long fromIndex) {
        Verify.argument(fromIndex >= firstIndex() && fromIndex <= lastIndex() + 1, "truncate outside the log");
        int from = offset(fromIndex);
        if (from < durablePrefix) {
            durableTail.addAll(0, entries.subList(from, durablePrefix));
            durablePrefix = from;
        }
        entries.subList(from, entries.size()).clear();
    }

    @Override
    public synchronized void resetToSnapshot(long index, long term) {
        Verify.argument(index >= 0 && term >= 0, "snapshot index and term must be >= 0");
        entries.clear();
        durableTail.clear();
        durablePrefix = 0;
        snapshotIndex = index;
        snapshotTerm = term;
    }

    @Override
    public synchronized void sync() {
        durableTail.clear();
        durablePrefix = entries.size();
    }

    /**
     * Drops the retained prefix up to and including {@code throughIndex}, which becomes the compaction point
     * (what an application does after taking a snapshot at that index). Durable on return.
     */
    public synchronized void compact(long throughIndex) {
        Verify.argument(throughIndex >= snapshotIndex, "compaction point must not move back");
        Verify.argument(throughIndex <= snapshotIndex + durablePrefix, "only durable entries can be compacted");
        long newTerm = term(throughIndex);
        int n = offset(throughIndex) + 1;
        entries.subList(0, n).clear();
        durablePrefix -= n;
        snapshotIndex = throughIndex;
        snapshotTerm = newTerm;
    }

    /** Simulates a machine crash: whatever was written but not synced is lost; unsynced truncations revert. */
    public synchronized void crash() {
        entries.subList(durablePrefix, entries.size()).clear();
        entries.addAll(durableTail);
        durableTail.clear();
        durablePrefix = entries.size();
    }

    /** Last index that survives a crash now. */
    public synchronized long durableLastIndex() {
        return snapshotIndex + durablePrefix + durableTail.size();
    }

    private int offset(long index) {
        long off = index - snapshotIndex - 1;
        Verify.state(off >= 0 && off < entries.size(), "index outside retained entries", index, snapshotIndex);
        return (int) off;
    }
}
