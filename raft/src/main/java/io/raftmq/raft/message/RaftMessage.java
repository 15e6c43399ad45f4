package io.raftmq.raft.message;

/**
 * A message between Raft peers. Every message names its sender, its receiver and the sender's term; node ids are
 * positive longs. Messages are immutable plain records so that a transport can map them to its wire format
 * field by field. Transports may drop, duplicate, delay and reorder them: the core tolerates all of it.
 */
public sealed interface RaftMessage
    permits AppendEntries, AppendEntriesResponse, Heartbeat, HeartbeatResponse, RequestVote, VoteResponse,
    InstallSnapshot, TimeoutNow {

    /** Sending node id. */
    long from();

    /** Receiving node id. */
    long to();

    /** The sender's term (for a pre-vote request: the term the sender would campaign in). */
    long term();
}
