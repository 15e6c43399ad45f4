package io.raftmq.raft.sim;

import io.raftmq.raft.core.RaftNode;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;

import java.util.function.LongFunction;

/**
 * Membership invariants the simulator checks on top of {@link SafetyChecker} (which keeps checking election
 * safety and that committed entries are never lost, now across configurations):
 * <ul>
 *   <li>Configuration in effect: right after a node wrote its log, the core's membership is that of the newest
 *       CONFIG entry of the log (taken on append, reverted on truncation).
 *   <li>One change at a time: a leader's uncommitted tail holds at most one CONFIG entry.
 *   <li>Quorum of the right configuration: when a leader's commit index moves, a majority of the voters of the
 *       configuration it is using durably hold the committed entry.
 *   <li>A new leader is a voter of its own configuration (learners and removed nodes never win).
 * </ul>
 */
final class MembershipChecker {
    /** Longest log suffix scanned back for the newest CONFIG entry (older ones are checked on earlier writes). */
    private static final int SCAN_MAX = 4096;

    void afterWrite(long node, RaftNode raft, MemoryRaftLog log) {
        long floor = Math.max(log.firstIndex(), log.lastIndex() - SCAN_MAX);
        for (long i = log.lastIndex(); i >= floor; i--) {
            Entry e = log.entries(i, i + 1, Long.MAX_VALUE).get(0);
            if (e.type() == Entry.TYPE_CONFIG) {
                Membership inLog = Membership.decode(e.payload());
                // the index may be a snapshot's past the entry (a restart or install takes the snapshot as base)
                if (!inLog.equals(raft.membership()) || raft.membershipIndex() < i) {
                    throw new AssertionError("configuration in effect: node " + node + " uses " + raft.membership()
                        + "@" + raft.membershipIndex() + " but its log's newest CONFIG entry is " + inLog + "@" + i);
                }
                return;
            }
        }
    }

    void onLeader(long node, RaftNode raft, MemoryRaftLog log, boolean newTerm) {
        if (newTerm && !raft.membership().isVoter(node)) {
            throw new AssertionError("node " + node + " became leader of term " + raft.term()
                + " but is not a voter of " + raft.membership());
        }
        int configs = 0;
        for (long i = Math.max(raft.commitIndex() + 1, log.firstIndex()); i <= log.lastIndex(); i++) {
            if (log.entries(i, i + 1, Long.MAX_VALUE).get(0).type() == Entry.TYPE_CONFIG) {
                configs++;
            }
        }
        if (configs > 1) {
            throw new AssertionError("one change at a time: leader " + node + " of term " + raft.term() + " has "
                + configs + " uncommitted CONFIG entries after " + raft.commitIndex());
        }
    }

    /** The leader's commit index moved to {@code commit}: a majority of its voters must durably hold that entry. */
    void onLeaderCommitMoved(long node, RaftNode raft, MemoryRaftLog leaderLog, long commit,
                             LongFunction<MemoryRaftLog> logOf) {
        if (commit < leaderLog.firstIndex() || commit > leaderLog.lastIndex()) {
            return;
        }
        long term = leaderLog.term(commit);
        Membership m = raft.membership();
        int holding = 0;
        for (Member v : m.voters()) {
            MemoryRaftLog log = logOf.apply(v.id());
            if (log != null && holds(log, commit, term)) {
                holding++;
            }
        }
        if (holding < m.quorum().quorum()) {
            throw new AssertionError("quorum: leader " + node + " of term " + raft.term() + " committed " + commit + "@"
                + term + " held durably by " + holding + " voters of " + m + " (quorum " + m.quorum().quorum() + ")");
        }
    }

    private static boolean holds(MemoryRaftLog log, long index, long term) {
        if (index < log.firstIndex() - 1) {
            return true; // compacted into a snapshot: only committed entries are
        }
        return log.durableLastIndex() >= index && index <= log.lastIndex() && log.term(index) == term;
    }
}
