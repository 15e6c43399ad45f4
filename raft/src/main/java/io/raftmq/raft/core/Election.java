package io.raftmq.raft.core;

import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.core.quorum.VoteResult;
import io.raftmq.raft.message.RequestVote;
import io.raftmq.raft.message.VoteResponse;

/**
 * Leader election (§5.2, §5.4.1) with pre-vote (§9.6) and the campaign a leadership transfer starts: campaigns,
 * vote requests and vote responses. Counts the campaigns it starts and the elections it wins ({@link ElectionCounts};
 * plain counters: the core is single-threaded).
 */
final class Election {
    /** How a campaign starts. */
    enum Kind { PRE_VOTE, ELECTION, TRANSFER }

    private final RaftNode node;
    private long preVotes;
    private long electionsStarted;
    private long electionsWon;

    Election(RaftNode node) {
        this.node = node;
    }

    /** Starts a campaign of the given kind; a single-voter configuration wins at once. */
    void campaign(Kind kind) {
        MajorityConfig voters = node.voters();
        if (!voters.contains(node.id())) {
            return;
        }
        RaftState s = node.state();
        VoteTally tally;
        long voteTerm;
        if (kind == Kind.PRE_VOTE) {
            tally = s.transitionToPreCandidate().votes;
            voteTerm = s.term() + 1;
            preVotes++;
        } else {
            tally = s.transitionToCandidate().votes;
            voteTerm = s.term();
            electionsStarted++;
        }
        tally.record(node.id(), true);
        if (tally.result(voters) == VoteResult.WON) {
            won(kind);
            return;
        }
        LogView log = node.log();
        for (int i = 0; i < voters.size(); i++) {
            long id = voters.voter(i);
            if (id == node.id()) {
                continue;
            }
            RequestVote rv = new RequestVote(node.id(), id, voteTerm, log.lastIndex(), log.lastTerm(),
                kind == Kind.PRE_VOTE, kind == Kind.TRANSFER);
            if (kind == Kind.PRE_VOTE) {
                node.outbox().early(rv);
            } else {
                node.outbox().afterPersist(rv);
            }
        }
    }

    /** A vote request of a term >= ours (the node already adopted a higher term for a real vote). */
    void onRequestVote(RequestVote m) {
        RaftState s = node.state();
        boolean canVote = s.votedFor() == m.from()
            || (s.votedFor() == 0 && s.leaderId() == 0)
            || (m.preVote() && m.term() > s.term());
        // A repairing node may lack entries it acknowledged: it grants nothing (docs/raft-driver.md, "Repair").
        if (canVote && !node.repairing() && node.log().isUpToDate(m.lastLogIndex(), m.lastLogTerm())) {
            VoteResponse grant = new VoteResponse(node.id(), m.from(), m.term(), m.preVote(), true);
            if (m.preVote()) {
                node.outbox().early(grant);
                yieldToLowerId(m.from());
            } else {
                s.vote(m.from());
                s.role().electionElapsed = 0;
                node.outbox().afterPersist(grant);
            }
        } else {
            VoteResponse reject = new VoteResponse(node.id(), m.from(), s.term(), m.preVote(), false);
            if (m.preVote()) {
                node.outbox().early(reject);
            } else {
                node.outbox().afterPersist(reject);
            }
        }
    }

    /**
     * Two pre-candidates at once (members started together, or followers told at once that the leader is gone,
     * docs/raft-driver.md "Faster at start") would each grant the other's pre-vote, both become candidates and split
     * the vote, which costs another election timeout. So a pre-candidate that grants the pre-vote of a voter with a
     * lower id steps back to follower (same term, no vote: pre-votes are liveness only) and that voter goes on.
     */
    private void yieldToLowerId(long from) {
        if (node.state().role() instanceof PreCandidateState && from < node.id()) {
            node.becomeFollower(node.state().term(), 0);
        }
    }

    /** A vote response while pre-candidate or candidate. */
    void onVoteResponse(VoteResponse m) {
        RoleState role = node.state().role();
        VoteTally tally;
        Kind kind;
        if (role instanceof PreCandidateState p && m.preVote()) {
            tally = p.votes;
            kind = Kind.PRE_VOTE;
        } else if (role instanceof CandidateState c && !m.preVote()) {
            tally = c.votes;
            kind = Kind.ELECTION;
        } else {
            return;
        }
        if (!node.voters().contains(m.from())) {
            return;
        }
        tally.record(m.from(), m.granted());
        VoteResult result = tally.result(node.voters());
        if (result == VoteResult.WON) {
            won(kind);
        } else if (result == VoteResult.LOST) {
            node.becomeFollower(node.state().term(), 0);
        }
    }

    private void won(Kind kind) {
        if (kind == Kind.PRE_VOTE) {
            campaign(Kind.ELECTION);
        } else {
            electionsWon++;
            node.becomeLeader();
        }
    }

    long preVotes() {
        return preVotes;
    }

    long electionsStarted() {
        return electionsStarted;
    }

    long electionsWon() {
        return electionsWon;
    }
}
