package io.raftmq.raft.core;

import io.raftmq.raft.Verify;
import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.Heartbeat;
import io.raftmq.raft.message.RequestVote;

import java.util.List;

/**
 * Repair mode of a node that lost data it may have acknowledged (docs/raft-driver.md, "Repair"; the durable side
 * is {@code io.raftmq.raft.state.RepairState}). While active the node grants no vote or pre-vote, never campaigns
 * (its election timer only restarts) and ignores TimeoutNow, but replicates as usual. It ends on the first
 * AppendEntries or heartbeat from a leader (of a term >= the node's, as every leader the node follows) after which
 * <ul>
 *   <li>the node's log matches the leader's up to the commit index C the message carries (AppendEntries: {@code C
 *       <= matched}, where matched is the end of this append if the node now holds its last entry, or the node's
 *       own commit index; heartbeat: the node could commit all of C, which the leader caps at what this node
 *       acknowledged in its term, and C is the leader's own commit index, not a capped one: a leader may have
 *       committed entries of its term beyond what this node acknowledged since its loss),
 *   <li>the entry at C is of the leader's term, so C is past every entry committed before this leader, and
 *   <li>the matched part reaches {@code ackedIndexMin}, the highest index the node is known to have acknowledged.
 * </ul>
 * Heartbeats count too: a caught-up follower of an idle leader may see no further AppendEntries.
 * Then the node holds every committed entry again. If it never voted in the leader's term it records a vote for
 * that leader (a lost vote file must not let it vote for someone else in a term it may have voted in).
 */
final class Repair {
    private boolean active;
    private long ackedIndexMin;
    /** Term unknown (hard state lost): the voters not heard from yet, 0 once heard; null when the term is known. */
    private long[] unheard;
    private long maxTermHeard;

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

    /** The node's term is unknown: it must first hear from every other voter (none: it knows at once). */
    void termUnknown(MajorityConfig voters, long self) {
        Verify.state(active, "only a repairing node can have lost its term", self);
        Verify.state(voters.contains(self), "a node learning its term must be a voter", self);
        long[] others = new long[voters.size() - 1];
        int n = 0;
        for (int i = 0; i < voters.size(); i++) {
            if (voters.voter(i) != self) {
                others[n++] = voters.voter(i);
            }
        }
        unheard = others.length == 0 ? null : others;
        maxTermHeard = 0;
    }

    /**
     * Pre-vote requests of the node's own term to the voters not heard from yet: every voter answers one (with its
     * term when that is higher), none is ignored inside a leader lease (only higher terms are), and none changes
     * anything there.
     */
    void probe(long self, long term, long lastIndex, long lastTerm, Outbox outbox) {
        for (long id : unheard) {
            if (id != 0) {
                outbox.early(new RequestVote(self, id, term, lastIndex, lastTerm, true, false));
            }
        }
    }

    /** Whether the node still learns its term (drops every message meanwhile). */
    boolean learningTerm() {
        return unheard != null;
    }

    /**
     * Notes a message from {@code from} carrying {@code term}; returns the highest term heard once every other
     * voter was heard from (the node then knows its term), else -1.
     */
    long heard(long from, long term) {
        Verify.state(unheard != null, "term already learned", from);
        maxTermHeard = Math.max(maxTermHeard, term);
        boolean all = true;
        for (int i = 0; i < unheard.length; i++) {
            if (unheard[i] == from) {
                unheard[i] = 0;
            }
            all &= unheard[i] == 0;
        }
        if (!all) {
            return -1;
        }
        unheard = null;
        return maxTermHeard;
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
        end(m.term(), m.from(), state);
        return true;
    }

    /** After the node handled the heartbeat {@code m} as a follower; returns true when repair just ended. */
    boolean maybeEnd(Heartbeat m, LogView log, RaftState state) {
        if (!active) {
            return false;
        }
        long c = m.commitIndex();
        if (c < m.leaderCommit() || log.committed() < c || c < ackedIndexMin || log.term(c) != m.term()) {
            return false;
        }
        end(m.term(), m.from(), state);
        return true;
    }

    private void end(long term, long leader, RaftState state) {
        Verify.state(term == state.term(), "repair ends only on a message of the current term", term, state.term());
        active = false;
        if (state.votedFor() == 0) {
            state.vote(leader);
        }
    }

    /** The last index of {@code m} if the log now holds it with its term (log matching: all before match), else 0. */
    private static long matchedEnd(AppendEntries m, LogView log) {
        List<Entry> ents = m.entries();
        long last = ents.isEmpty() ? m.prevLogIndex() : ents.get(ents.size() - 1).index();
        long lastTerm = ents.isEmpty() ? m.prevLogTerm() : ents.get(ents.size() - 1).term();
        return log.matchTerm(last, lastTerm) ? last : 0;
    }
}
