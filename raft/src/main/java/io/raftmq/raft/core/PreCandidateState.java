package io.raftmq.raft.core;

/** Pre-candidate (§9.6): polls voters for term + 1 without changing its own term or vote. */
final class PreCandidateState extends RoleState {
    final int electionTimeoutTicks;
    final VoteTally votes = new VoteTally();

    PreCandidateState(int electionTimeoutTicks) {
        this.electionTimeoutTicks = electionTimeoutTicks;
    }

    @Override
    int electionTimeoutTicks() {
        return electionTimeoutTicks;
    }

    @Override
    Role role() {
        return Role.PRE_CANDIDATE;
    }
}
