package io.raftmq.raft.core;

import io.raftmq.raft.Verify;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.message.AppendEntries;

import java.util.List;

/**
 * Repair mode of a node that lost data it may have acknowledged (docs/raft-driver.md, "Repair"; the durable side
 * is {@code io.raftmq.raft.state.RepairState}). While active the node grants no vote or pre-vote, never campaigns
 * (its election timer only restarts) and ignores TimeoutNow, but replicates as usual. It ends on the first
 * AppendEntries from a leader (of a term >= the node's, as every leader the node follows) after which
 * <ul>
 *   <li>the node's log matches the leader's up to the leader's commit index C ({@code C <= matched}, where
 *       matched is the end of this append if the node now holds its last entry, or the node's own commit index),
 *   <li>the entry at C is of the leader's term, so C is past every entry committed before this leader, and
 *   <li>matched reaches {@code ackedIndexMin}, the highest index the node is known to have acknowledged.
 * </ul>
 * Then the node holds every committed entry again. If it never voted in the leader's term it records a vote for
 * that leader (a lost vote file must not let it vote for someone else in a term it may have voted in).
 */
final class Repair {
    private boolean active;
    private long ackedIndexMin;

    boolean active() {
        return active;
    }

    long ackedIndexMin() {
        return ackedIndexMin;
    }

    void start(long ackedIndex) {
        Verify.argument(ackedIndex >= 0, "ackedIndexMin must be >= 0");
        active = true;
        ackedIndexMin = Math.max(ackedIndexMin, ackedIndex);
    }

    /** After the node handled {@code m} as a follower; returns true when repair just ended. */
    boolean maybeEnd(AppendEntries m, LogView log, RaftState state) {
        if (!active) {
            return false;
        }
        long matched = Math.max(log.committed(), matchedEnd(m, log));
        long leaderCommit = m.leaderCommit();
        if (matched < leaderCommit || matched < ackedIndexMin || log.term(leaderCommit) != m.term()) {
            return false;
        }
        Verify.state(m.term() == state.term(), "repair ends only on an append of the current term", m.term(),
            state.term());
        active = false;
        if (state.votedFor() == 0) {
            state.vote(m.from());
        }
        return true;
    }

    /** The last index of {@code m} if the log now holds it with its term (log matching: all before match), else 0. */
    private static long matchedEnd(AppendEntries m, LogView log) {
        List<Entry> ents = m.entries();
        long last = ents.isEmpty() ? m.prevLogIndex() : ents.get(ents.size() - 1).index();
        long lastTerm = ents.isEmpty() ? m.prevLogTerm() : ents.get(ents.size() - 1).term();
        return log.matchTerm(last, lastTerm) ? last : 0;
    }
}
