package io.raftmq.raft.sim;

import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.statemachine.Snapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Safety invariants of Raft (§5.4, figure 3), checked by the simulator after every event and at every write or
 * apply. A violation throws {@link AssertionError}.
 * <ul>
 *   <li>Election safety: at most one leader per term.
 *   <li>Log matching: any two entries with the same (index, term) anywhere have the same payload and the same
 *       predecessor term — by induction, the same log prefix.
 *   <li>Leader completeness: a new leader's log holds every entry committed by a leader of an earlier term,
 *       and an index committed twice names the same entry.
 *   <li>State machine safety: every node applies a contiguous prefix of one sequence, and a committed entry is
 *       never replaced by an entry of its committing term or later on any node.
 *   <li>Snapshots carry exactly the state of that prefix.
 *   <li>Durability: an append acknowledgement leaves only when the sender's disk holds its log through the
 *       acknowledged index (what survives a crash at that moment); with the leader's own durable count this is
 *       what makes a committed entry durable on a quorum (checked by {@link MembershipChecker} when a commit
 *       moves).
 * </ul>
 */
final class SafetyChecker {
    private record IndexTerm(long index, long term) {
    }

    private record Fingerprint(int payloadHash, int type, long prevTerm) {
    }

    private final Map<Long, Long> leaderOfTerm = new HashMap<>();
    private final Map<IndexTerm, Fingerprint> seen = new HashMap<>();
    /** The applied (committed) sequence: entry i at position i - 1. */
    private final List<Entry> committed = new ArrayList<>();
    /** Term of the leader that first committed index i, at position i - 1 (non-decreasing). */
    private final List<Long> commitTerm = new ArrayList<>();
    /**
     * Term of the entry committed at index i, at position i - 1, or {@link #UNKNOWN_TERM} while no log seen since
     * has it: a leader whose commit index advanced just before it stepped down may be observed only later, as a
     * leader again, after it compacted those entries into a snapshot. The term is filled in by the next apply or
     * leader commit that sees the entry.
     */
    private final List<Long> committedEntryTerm = new ArrayList<>();
    private static final long UNKNOWN_TERM = -1;
    /** State machine hash after applying entry i, at position i - 1. */
    private final List<Long> committedHash = new ArrayList<>();

    /** Node {@code node} sends {@code ack}: a success must not claim entries its disk would lose in a crash now. */
    void onAcknowledgement(long node, MemoryRaftLog log, io.raftmq.raft.message.AppendEntriesResponse ack) {
        if (!ack.reject() && ack.index() > log.durableLastIndex()) {
            throw new AssertionError("durability: node " + node + " acknowledges index " + ack.index() + " of term "
                + ack.term() + " but its disk holds only " + log.durableLastIndex());
        }
    }

    void onLeader(long term, long id, MemoryRaftLog log) {
        Long prev = leaderOfTerm.putIfAbsent(term, id);
        if (prev == null) {
            checkCompleteness(term, id, log);
        } else if (prev != id) {
            throw new AssertionError("election safety: two leaders in term " + term + ": " + prev + " and " + id);
        }
    }

    /** A leader of term T holds every entry a leader of an earlier term committed (§5.4.3). */
    private void checkCompleteness(long term, long id, MemoryRaftLog log) {
        for (long i = Math.max(1, log.firstIndex()); i <= commitTerm.size(); i++) {
            if (commitTerm.get((int) (i - 1)) >= term) {
                break;
            }
            long entryTerm = committedEntryTerm.get((int) (i - 1));
            if (entryTerm == UNKNOWN_TERM) {
                continue;
            }
            if (i > log.lastIndex() || log.term(i) != entryTerm) {
                throw new AssertionError("leader completeness: leader " + id + " of term " + term
                    + " lacks entry " + i + "@" + entryTerm + " committed in term " + commitTerm.get((int) (i - 1))
                    + " (has last " + log.lastIndex() + ")");
            }
        }
    }

    /**
     * A leader's commit index moved (every commit starts at a leader): records the term it committed in, and
     * requires that an index committed twice names the same entry.
     */
    void onLeaderCommit(long term, long id, MemoryRaftLog log, long commitIndex) {
        long checkFrom = Math.max(log.firstIndex(), commitIndex - 64);
        for (long i = Math.max(1, checkFrom); i <= Math.min(commitIndex, commitTerm.size()); i++) {
            if (committedEntryTerm.get((int) (i - 1)) == UNKNOWN_TERM) {
                committedEntryTerm.set((int) (i - 1), log.term(i));
            } else if (log.term(i) != committedEntryTerm.get((int) (i - 1))) {
                throw new AssertionError("committed entry changed: leader " + id + " of term " + term + " has "
                    + i + "@" + log.term(i) + " but " + i + "@" + committedEntryTerm.get((int) (i - 1))
                    + " was committed in term " + commitTerm.get((int) (i - 1)));
            }
        }
        for (long i = commitTerm.size() + 1; i <= commitIndex; i++) {
            commitTerm.add(term);
            committedEntryTerm.add(i >= log.firstIndex() - 1 ? log.term(i) : UNKNOWN_TERM);
        }
    }

    /**
     * Before a node replaces its suffix with {@code incoming}. A lagging node may legitimately drop a committed
     * entry when it still accepts appends from a leader of an older term than the one that committed it (that
     * node was not part of the committing majority); it must never be replaced by an entry of the committing
     * term or later, since such a leader holds the committed entry (leader completeness).
     */
    void beforeTruncate(long node, MemoryRaftLog log, List<Entry> incoming) {
        for (Entry e : incoming) {
            long i = e.index();
            if (i > log.lastIndex() || i > commitTerm.size() || i < log.firstIndex()) {
                continue;
            }
            long committedTerm = committedEntryTerm.get((int) (i - 1));
            if (committedTerm == UNKNOWN_TERM) {
                continue;
            }
            long committingTerm = commitTerm.get((int) (i - 1));
            if (log.term(i) == committedTerm && e.term() != committedTerm && e.term() >= committingTerm) {
                throw new AssertionError("committed entry " + i + "@" + committedTerm + " (committed in term "
                    + committingTerm + ") replaced by " + e + " on node " + node);
            }
        }
    }

    /** After a node wrote entries from {@code fromIndex} on. */
    void afterWrite(long node, MemoryRaftLog log, long fromIndex) {
        for (long i = Math.max(fromIndex, log.firstIndex()); i <= log.lastIndex(); i++) {
            Entry e = log.entries(i, i + 1, Long.MAX_VALUE).get(0);
            Fingerprint f = new Fingerprint(Arrays.hashCode(e.payload()), e.type(), log.term(i - 1));
            Fingerprint prev = seen.putIfAbsent(new IndexTerm(i, e.term()), f);
            if (prev != null && !prev.equals(f)) {
                throw new AssertionError("log matching: node " + node + " has " + e + " " + f + " but " + prev
                    + " was seen at the same index and term");
            }
        }
    }

    void onApply(long node, Entry e, long expectedIndex) {
        if (e.index() != expectedIndex) {
            throw new AssertionError("node " + node + " applied " + e + " but expected index " + expectedIndex);
        }
        if (e.index() <= committedEntryTerm.size()) {
            long known = committedEntryTerm.get((int) (e.index() - 1));
            if (known == UNKNOWN_TERM) {
                committedEntryTerm.set((int) (e.index() - 1), e.term());
            } else if (known != e.term()) {
                throw new AssertionError("node " + node + " applied " + e + " but " + e.index() + "@" + known
                    + " was committed");
            }
        }
        long prevHash = e.index() == 1 ? 0 : committedHash.get((int) (e.index() - 2));
        if (e.index() <= committed.size()) {
            Entry c = committed.get((int) (e.index() - 1));
            if (!c.equals(e)) {
                throw new AssertionError("state machine safety: node " + node + " applied " + e + " but " + c
                    + " was applied before at that index");
            }
        } else if (e.index() == committed.size() + 1) {
            committed.add(e);
            committedHash.add(SimStateMachine.fold(prevHash, e));
        } else {
            throw new AssertionError("node " + node + " applied " + e + " past the applied prefix "
                + committed.size());
        }
    }

    /** A snapshot (taken or installed) must equal the applied prefix up to its index. */
    void onSnapshot(long node, Snapshot s) {
        if (s.index() == 0) {
            return;
        }
        if (s.index() > committed.size()) {
            throw new AssertionError("node " + node + " has snapshot " + s + " past the applied prefix");
        }
        long expected = committedHash.get((int) (s.index() - 1));
        if (SimStateMachine.hashOf(s) != expected || committed.get((int) (s.index() - 1)).term() != s.term()) {
            throw new AssertionError("node " + node + " has snapshot " + s + " that differs from the applied prefix");
        }
    }

    int committedCount() {
        return committed.size();
    }

    Entry committedAt(long index) {
        return committed.get((int) (index - 1));
    }
}
