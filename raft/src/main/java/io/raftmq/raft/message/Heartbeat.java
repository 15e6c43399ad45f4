package io.raftmq.raft.message;

/**
 * Leader to follower, every heartbeat interval: keeps the follower from campaigning and carries a commit index
 * that is safe for this follower ({@code min(follower's match, leader commit)}).
 */
public record Heartbeat(long from, long to, long term, long commitIndex) implements RaftMessage {
}
