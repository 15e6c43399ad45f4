package io.raftmq.raft.core.quorum;

/** Outcome of counting votes against a configuration. */
public enum VoteResult {
    /** Not decided: missing votes could still swing it. */
    PENDING,
    /** A majority granted. */
    WON,
    /** A majority can no longer be reached. */
    LOST
}
