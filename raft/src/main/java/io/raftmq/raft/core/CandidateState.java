package io.raftmq.raft.core;

/** Candidate (§5.2): voted for itself in a new term and collects votes until it wins, loses or times out. */
final class CandidateState extends RoleState {
    final int electionTimeoutTicks;
    final VoteTally votes = new VoteTally();

    CandidateState(int electionTimeoutTicks) {
        this.electionTimeoutTicks = electionTimeoutTicks;
    }

    @Override
    int electionTimeoutTicks() {
        return electionTimeoutTicks;
    }

    @Override
    Role role() {
        return Role.CANDIDATE;
    }
}
