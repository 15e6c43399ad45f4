package io.raftmq.raft.message;

/** Voter to (pre-)candidate. A granted real vote is sent only after the vote is durable. */
public record VoteResponse(long from, long to, long term, boolean preVote, boolean granted)
    implements RaftMessage {
}
