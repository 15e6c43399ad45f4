package io.raftmq.raft.message;

/**
 * Follower to leader. Success: {@code index} is the highest index now known to match the leader's log (sent only
 * once those entries are durable). Rejection: {@code index} is the rejected {@code prevLogIndex}, and
 * {@code rejectHint}/{@code hintTerm} name the follower's best guess of the last matching entry (the fast
 * back-off of §5.3: the leader skips a whole conflicting term per round trip). Also answers an
 * {@link InstallSnapshot} (success with the snapshot index).
 */
public record AppendEntriesResponse(long from, long to, long term, long index, boolean reject,
                                    long rejectHint, long hintTerm) implements RaftMessage {
}
