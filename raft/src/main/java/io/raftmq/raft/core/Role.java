package io.raftmq.raft.core;

/** The role a node plays in its current term (§5.1 plus the pre-vote phase of §9.6). */
public enum Role {
    FOLLOWER,
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
