package io.raftmq.raft.message;

/** Follower to leader: proof of life for check-quorum, and a cue to resume replication to this follower. */
public record HeartbeatResponse(long from, long to, long term) implements RaftMessage {
}
