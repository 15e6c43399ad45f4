package io.raftmq.raft.message;

/**
 * Candidate to voter (§5.2), or pre-candidate to voter (pre-vote, §9.6: {@code preVote} set and {@code term} is
 * the term the sender would campaign in, its own term is unchanged). {@code leadershipTransfer} marks a campaign
 * started by {@link TimeoutNow}, which voters honour even while they still hear from a leader.
 */
public record RequestVote(long from, long to, long term, long lastLogIndex, long lastLogTerm,
                          boolean preVote, boolean leadershipTransfer) implements RaftMessage {
}
