package io.raftmq.raft.core;

/** Answer to {@link RaftNode#transferLeadership(long)}. */
public enum TransferResult {
    /** The transfer started: the target is caught up and told to campaign (TimeoutNow) once it matches. */
    STARTED,
    /** A transfer to the same target is already running. */
    IN_PROGRESS,
    /** This node is not the leader; see {@link RaftNode#leaderId()}. */
    NOT_LEADER,
    /** The target is this node. */
    ALREADY_LEADER,
    /** The target is not a voter of the configuration. */
    UNKNOWN_TARGET
}
