package io.raftmq.raft.core;

import io.raftmq.raft.Verify;
import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.state.HardState;

/**
 * Holder of a node's term, vote, known leader and role; the only place a role changes. Transition table (rows:
 * from, columns: to; every other transition is a bug and fails a check):
 * <pre>
 *                  FOLLOWER  PRE_CANDIDATE  CANDIDATE  LEADER
 *   FOLLOWER          yes         yes          yes       -      (follower: higher term / new leader seen)
 *   PRE_CANDIDATE     yes         yes          yes       -      (pre-candidate: election timeout restarts)
 *   CANDIDATE         yes         yes          yes      yes     (candidate: only a won vote makes a leader)
 *   LEADER            yes          -            -        -      (leader: higher term, lost quorum)
 * </pre>
 * Term rules: only a move to CANDIDATE increments the term (and votes for itself); a move to FOLLOWER may raise
 * the term (clearing the vote); the term never decreases.
 */
final class RaftState {
    private final long selfId;
    private final int electionTicks;
    private final RandomSource random;
    private long term;
    /** Candidate voted for in {@link #term}, 0 if none. */
    private long votedFor;
    /** Leader of {@link #term} as far as this node knows, 0 if unknown. */
    private long leaderId;
    private RoleState role;

    RaftState(long selfId, int electionTicks, RandomSource random, HardState hard) {
        this.selfId = selfId;
        this.electionTicks = electionTicks;
        this.random = random;
        this.term = hard.term();
        this.votedFor = hard.votedFor();
        this.role = new FollowerState(randomizedTimeout());
    }

    long term() {
        return term;
    }

    long votedFor() {
        return votedFor;
    }

    long leaderId() {
        return leaderId;
    }

    RoleState role() {
        return role;
    }

    Role roleKind() {
        return role.role();
    }

    void vote(long candidate) {
        Verify.state(votedFor == 0 || votedFor == candidate, "already voted in this term", votedFor, candidate);
        votedFor = candidate;
    }

    void leaderId(long id) {
        leaderId = id;
    }

    FollowerState transitionToFollower(long newTerm, long leader) {
        Verify.state(newTerm >= term, "term must not decrease", term, newTerm);
        if (newTerm > term) {
            term = newTerm;
            votedFor = 0;
        }
        leaderId = leader;
        FollowerState f = new FollowerState(randomizedTimeout());
        role = f;
        return f;
    }

    PreCandidateState transitionToPreCandidate() {
        Verify.state(role.role() != Role.LEADER, "a leader cannot become a pre-candidate", term);
        leaderId = 0;
        PreCandidateState p = new PreCandidateState(randomizedTimeout());
        role = p;
        return p;
    }

    CandidateState transitionToCandidate() {
        Verify.state(role.role() != Role.LEADER, "a leader cannot become a candidate", term);
        term++;
        votedFor = selfId;
        leaderId = 0;
        CandidateState c = new CandidateState(randomizedTimeout());
        role = c;
        return c;
    }

    LeaderState transitionToLeader(MajorityConfig voters, long nextIndex, long selfMatch, int inflightMax) {
        Verify.state(role.role() == Role.CANDIDATE, "only a candidate can become leader", term);
        Verify.state(votedFor == selfId, "a leader must have voted for itself", votedFor, selfId);
        leaderId = selfId;
        LeaderState l = new LeaderState(selfId, voters, nextIndex, selfMatch, inflightMax, electionTicks);
        role = l;
        return l;
    }

    /** A draw in [0, bound) from the node's only random source. */
    int jitter(int bound) {
        int j = random.nextInt(bound);
        Verify.state(j >= 0 && j < bound, "random source out of range", j, bound);
        return j;
    }

    private int randomizedTimeout() {
        int extra = random.nextInt(electionTicks);
        Verify.state(extra >= 0 && extra < electionTicks, "random source out of range", extra, electionTicks);
        return electionTicks + extra;
    }
}
