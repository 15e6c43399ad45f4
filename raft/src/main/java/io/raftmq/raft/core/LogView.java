package io.raftmq.raft.core;

import io.raftmq.raft.Verify;
import io.raftmq.raft.core.membership.ConfigHistory;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.RaftLog;
import io.raftmq.raft.statemachine.Snapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * The core's view of its log: the stable {@link RaftLog} (what the driver wrote) overlaid with the unstable tail
 * not yet handed out in a {@link Ready}, and a pending snapshot. It also tracks the commit and applied indexes.
 * Only the driver writes the stable log; this class reads it and never mutates it.
 *
 * <p>Invariants: applied <= committed <= lastIndex(); entries are handed out for apply only up to
 * min(committed, durable); when {@code unstable} is non-empty it covers
 * {@code [unstableOffset, lastIndex()]} and replaces any stable entries from {@code unstableOffset} on; a
 * pending snapshot replaces every stable entry; {@code durable <= writtenLastIndex()}.
 *
 * <p>Written is not durable: the driver writes a Ready's entries into the stable log ({@link #stableTo}) and
 * reports later, from its log syncer, how far they are on disk ({@link #persisted}). {@code durable} is the last
 * index of this view whose whole prefix is on disk; a truncation lowers it to the entry before the first replaced
 * one, and a report counts only if this view still holds the reported entry (index and term), so a report of a
 * write that a truncation has since replaced is ignored (docs/raft-driver.md, "Fsync off the agent thread").
 *
 * <p>Membership: every append, truncation and snapshot restore is mirrored into the {@link ConfigHistory}, so the
 * configuration in effect always is that of the newest CONFIG entry in this view (or the snapshot's).
 */
final class LogView {
    /** Returned by {@link #term(long)} when the index is compacted or past the end. */
    static final long TERM_UNAVAILABLE = -1;
    /** Upper bound of a list's initial capacity taken from an index range (the range may be cut by bytes). */
    private static final int UNSTABLE_SIZE_HINT_MAX = 4096;

    private final RaftLog stable;
    private final ConfigHistory configs;
    private final ArrayList<Entry> unstable = new ArrayList<>();
    private long unstableOffset;
    private Snapshot pendingSnapshot;
    private long committed;
    private long applied;
    /** Last index whose whole prefix (of this view's log) is durable. Invariant: durable <= writtenLastIndex(). */
    private long durable;
    /** Lowest index a truncation or snapshot restore replaced since {@link #takeReplacedFrom}; MAX_VALUE if none. */
    private long replacedFrom = Long.MAX_VALUE;

    LogView(RaftLog stable, long committed, long applied, ConfigHistory configs) {
        this.stable = stable;
        this.configs = configs;
        this.unstableOffset = stable.lastIndex() + 1;
        Verify.state(committed <= stable.lastIndex(), "commit index past the log's last index", committed,
            stable.lastIndex());
        Verify.state(applied <= committed, "applied index past the commit index", applied, committed);
        Verify.state(applied >= stable.firstIndex() - 1, "log compacted past the applied index", applied,
            stable.firstIndex());
        this.committed = committed;
        this.applied = applied;
        this.durable = stable.lastIndex(); // what recovery found is what the disk holds
    }

    long committed() {
        return committed;
    }

    long applied() {
        return applied;
    }

    long firstIndex() {
        return pendingSnapshot != null ? pendingSnapshot.index() + 1 : stable.firstIndex();
    }

    long lastIndex() {
        if (!unstable.isEmpty()) {
            return unstableOffset + unstable.size() - 1;
        }
        return pendingSnapshot != null ? pendingSnapshot.index() : stable.lastIndex();
    }

    long lastTerm() {
        long t = term(lastIndex());
        Verify.state(t >= 0, "term of the last index must be known", lastIndex(), t);
        return t;
    }

    /** Last index reported durable by the driver and still in this view (what a leader may count for itself). */
    long durableLastIndex() {
        return durable;
    }

    /** Last index the driver wrote into the stable log and this view still holds (unstable entries replace it). */
    long writtenLastIndex() {
        return pendingSnapshot != null ? pendingSnapshot.index() - 1 : Math.min(stable.lastIndex(), unstableOffset - 1);
    }

    /**
     * The driver reports that its log is durable through the entry ({@code index}, {@code term}). Counts only if
     * this view still holds that entry (by log matching its whole prefix is then the one that was synced); clipped
     * to what is written. Returns whether the durable index moved.
     */
    boolean persisted(long index, long term) {
        if (pendingSnapshot != null) {
            return false; // the whole log is being replaced; the install makes it durable
        }
        long written = writtenLastIndex();
        long upTo = Math.min(index, written);
        if (upTo <= durable || !matchTerm(index, term)) {
            return false;
        }
        durable = upTo;
        Verify.state(durable <= written, "durable index past the written log", durable, written);
        return true;
    }

    /** The lowest index replaced (truncated, or restored over) since the last call, MAX_VALUE if none; resets. */
    long takeReplacedFrom() {
        long r = replacedFrom;
        replacedFrom = Long.MAX_VALUE;
        return r;
    }

    /** Term at {@code index}, or {@link #TERM_UNAVAILABLE} if compacted or past the end. */
    long term(long index) {
        if (!unstable.isEmpty() && index >= unstableOffset) {
            long off = index - unstableOffset;
            return off < unstable.size() ? unstable.get((int) off).term() : TERM_UNAVAILABLE;
        }
        if (pendingSnapshot != null) {
            return index == pendingSnapshot.index() ? pendingSnapshot.term() : TERM_UNAVAILABLE;
        }
        if (index < stable.firstIndex() - 1 || index > stable.lastIndex()) {
            return TERM_UNAVAILABLE;
        }
        return stable.term(index);
    }

    boolean matchTerm(long index, long term) {
        long t = term(index);
        return t != TERM_UNAVAILABLE && t == term;
    }

    /** §5.4.1: whether a log ending at (lastIdx, lastTrm) is at least as up to date as this one. */
    boolean isUpToDate(long lastIdx, long lastTrm) {
        long myTerm = lastTerm();
        return lastTrm > myTerm || (lastTrm == myTerm && lastIdx >= lastIndex());
    }

    /**
     * Entries {@code [lo, hi)} cut at {@code maxBytes} (at least one). {@code firstIndex() <= lo <= hi <=
     * lastIndex() + 1}.
     */
    List<Entry> entries(long lo, long hi, long maxBytes) {
        Verify.state(lo >= firstIndex(), "entries below the first index", lo, firstIndex());
        Verify.state(hi <= lastIndex() + 1, "entries past the last index", hi, lastIndex());
        if (lo >= hi) {
            return List.of();
        }
        if (lo < unstableOffset) {
            return stableEntries(lo, hi, maxBytes);
        }
        int from = (int) (lo - unstableOffset);
        int to = (int) (hi - unstableOffset);
        long bytes = 0;
        int end = from;
        while (end < to) {
            bytes += unstable.get(end).sizeBytes();
            if (end > from && bytes > maxBytes) {
                break;
            }
            end++;
        }
        return unstable.subList(from, end); // a view: callers copy it (messages and Readys are immutable)
    }

    /** Entries from {@code lo < unstableOffset}: the stable part, then the unstable part if the budget allows. */
    private List<Entry> stableEntries(long lo, long hi, long maxBytes) {
        long stableHi = Math.min(hi, unstableOffset);
        List<Entry> got = stable.entries(lo, stableHi, maxBytes);
        long bytes = 0;
        for (int k = 0; k < got.size(); k++) {
            Entry e = got.get(k);
            Verify.state(e.index() == lo + k, "stable log returned a non-contiguous entry", lo + k, e.index());
            bytes += e.sizeBytes();
        }
        long i = lo + got.size();
        if (i < stableHi || i >= hi) {
            return got;
        }
        List<Entry> out = new ArrayList<>((int) Math.min(hi - lo, UNSTABLE_SIZE_HINT_MAX));
        out.addAll(got);
        for (; i < hi; i++) {
            Entry e = unstable.get((int) (i - unstableOffset));
            bytes += e.sizeBytes();
            if (bytes > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /**
     * Follower side of §5.3: if the log matches (prevIndex, prevTerm), appends the new part of {@code ents}
     * (truncating a conflicting suffix), advances the commit index and returns the last index known to match
     * the leader; otherwise returns -1.
     */
    long maybeAppend(long prevIndex, long prevTerm, long leaderCommit, List<Entry> ents) {
        if (!matchTerm(prevIndex, prevTerm)) {
            return -1;
        }
        long lastNew = prevIndex + ents.size();
        for (int k = 0; k < ents.size(); k++) {
            Entry e = ents.get(k);
            Verify.state(e.index() == prevIndex + 1 + k, "append entries must be contiguous", prevIndex, e.index());
            if (!matchTerm(e.index(), e.term())) {
                Verify.state(e.index() > committed, "conflict at or below the commit index", e.index(), committed);
                truncateAndAppend(ents.subList(k, ents.size()));
                break;
            }
        }
        commitTo(Math.min(leaderCommit, lastNew));
        return lastNew;
    }

    /** Appends entries after {@code [.., first - 1]}, replacing everything from their first index on. */
    void truncateAndAppend(List<Entry> ents) {
        long first = ents.get(0).index();
        Verify.state(first > committed, "must not replace committed entries", first, committed);
        Verify.state(first <= lastIndex() + 1, "append leaves a gap", first, lastIndex());
        if (first <= configs.currentIndex()) {
            configs.truncateFrom(first);
        }
        if (first <= lastIndex()) {
            replacedFrom = Math.min(replacedFrom, first);
            durable = Math.min(durable, first - 1); // the replacing entries are not on disk yet
        }
        if (unstable.isEmpty() || first <= unstableOffset) {
            unstable.clear();
            unstableOffset = first;
        } else {
            unstable.subList((int) (first - unstableOffset), unstable.size()).clear();
        }
        for (int k = 0; k < ents.size(); k++) {
            Entry e = ents.get(k);
            Verify.state(e.index() == first + k, "entries must be contiguous", first + k, e.index());
            unstable.add(e);
            onAppended(e);
        }
    }

    /** A leader's own new entry at {@code lastIndex() + 1} (the hot path of proposals: no list per entry). */
    void appendOne(Entry e) {
        Verify.state(e.index() == lastIndex() + 1, "leader append must extend the log", e.index(), lastIndex());
        Verify.state(e.index() > committed, "must not replace committed entries", e.index(), committed);
        if (unstable.isEmpty()) {
            unstableOffset = e.index();
        }
        unstable.add(e);
        onAppended(e);
    }

    /** A CONFIG entry takes effect as soon as it is in the log (thesis §4.1). */
    private void onAppended(Entry e) {
        if (e.type() == Entry.TYPE_CONFIG) {
            configs.append(e.index(), Membership.decode(e.payload()));
        }
    }

    /**
     * Fast back-off (§5.3): the largest index {@code <= index} whose term is {@code <= term}, or the compaction
     * point if none is retained.
     */
    long findConflictByTerm(long index, long term) {
        long i = Math.min(index, lastIndex());
        long floor = firstIndex() - 1;
        for (; i > floor; i--) {
            long t = term(i);
            if (t != TERM_UNAVAILABLE && t <= term) {
                return i;
            }
        }
        return floor;
    }

    void commitTo(long index) {
        if (index > committed) {
            Verify.state(index <= lastIndex(), "commit index past the last index", index, lastIndex());
            committed = index;
        }
    }

    /** Follower side of InstallSnapshot: the whole log is replaced by the snapshot. */
    void restore(Snapshot snapshot) {
        Verify.state(snapshot.index() > committed, "snapshot must be past the commit index", snapshot.index(),
            committed);
        pendingSnapshot = snapshot;
        configs.resetTo(snapshot.index(), Membership.decode(snapshot.membership(), configs.initialMembership()));
        unstable.clear();
        unstableOffset = snapshot.index() + 1;
        committed = snapshot.index();
        applied = snapshot.index();
        replacedFrom = Long.MIN_VALUE; // the whole log
        durable = Math.min(durable, snapshot.index() - 1); // durable once installed (snapshotInstalled)
    }

    boolean hasUnstable() {
        return !unstable.isEmpty();
    }

    List<Entry> unstableEntries() {
        return List.copyOf(unstable);
    }

    Snapshot pendingSnapshot() {
        return pendingSnapshot;
    }

    /**
     * The last index that may be applied: committed and on this node's disk. A node applies nothing its own log
     * could lose in a crash, so a snapshot of its state (taken at the applied index) is never ahead of its recovered
     * log; a leader may commit through its followers' copies before its own sync, but applies after it.
     */
    private long applicable() {
        return Math.min(committed, durable);
    }

    boolean hasCommittedToApply() {
        return applied < applicable();
    }

    List<Entry> nextCommittedEntries(long maxBytes) {
        long upTo = applicable();
        if (applied >= upTo) {
            return List.of();
        }
        return entries(applied + 1, upTo + 1, maxBytes);
    }

    /** The driver installed {@code snapshot} into the stable log (Ready step 2). */
    void snapshotInstalled(Snapshot snapshot) {
        Verify.state(pendingSnapshot == snapshot, "installed snapshot is not the pending one", snapshot.index());
        Verify.state(stable.firstIndex() == snapshot.index() + 1, "log not reset to the snapshot",
            stable.firstIndex(), snapshot.index());
        Verify.state(stable.term(snapshot.index()) == snapshot.term(), "log reset to the wrong snapshot term",
            stable.term(snapshot.index()), snapshot.term());
        pendingSnapshot = null;
        durable = snapshot.index(); // the driver's reset is durable on return
    }

    /** The driver wrote the unstable entries up to (index, term) (Ready step 3); not durable before persisted. */
    void stableTo(long index, long term) {
        Verify.state(pendingSnapshot == null, "snapshot must be installed before entries", index);
        Verify.state(!unstable.isEmpty() && lastIndex() == index, "written entries are not the unstable tail",
            index, lastIndex());
        Verify.state(stable.lastIndex() == index, "driver did not write the entries", stable.lastIndex(), index);
        Verify.state(stable.term(index) == term, "driver wrote entries of another term", stable.term(index), term);
        unstable.clear();
        unstableOffset = index + 1;
    }

    void appliedTo(long index) {
        Verify.state(index == Math.min(committed, index) && index > applied, "applied out of range", applied, index);
        applied = index;
    }
}
