package io.raftmq.raft.message;

/** Leader to the transfer target (leadership transfer, thesis §3.10): campaign now, without pre-vote. */
public record TimeoutNow(long from, long to, long term) implements RaftMessage {
}
