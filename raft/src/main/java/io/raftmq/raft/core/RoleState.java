package io.raftmq.raft.core;

/**
 * Role-specific state of a node, one subclass per {@link Role}. A new object is created on every transition, so
 * timers and votes never leak from one term or role into the next. Each role counts ticks since its election
 * timer was last reset ({@code electionElapsed}).
 */
abstract sealed class RoleState permits FollowerState, PreCandidateState, CandidateState, LeaderState {
    /** Ticks since the election timer was reset. Invariant: >= 0. */
    int electionElapsed;

    abstract Role role();

    /** Ticks after which this role campaigns (followers and candidates) or runs check-quorum (leaders). */
    abstract int electionTimeoutTicks();
}
