package io.raftmq.raft.state;

import io.raftmq.raft.Verify;

/**
 * The part of a node's Raft state that must survive restarts (§5, figure 2): current term, the candidate voted
 * for in that term (0 = none) and the commit index (an optimisation: it lets a restarted node apply up to it
 * without waiting for the leader). Node ids are positive; 0 means "nobody".
 */
public record HardState(long term, long votedFor, long commitIndex) {
    /** A node that never ran. */
    public static final HardState EMPTY = new HardState(0, 0, 0);

    public HardState {
        Verify.argument(term >= 0, "term must be >= 0");
        Verify.argument(votedFor >= 0, "votedFor must be >= 0");
        Verify.argument(commitIndex >= 0, "commitIndex must be >= 0");
    }
}
