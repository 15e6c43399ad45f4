package io.raftmq.raft.core;

/**
 * Answer to {@link RaftNode#propose(int, byte[])}. An accepted proposal is not yet committed: it commits once an
 * entry with the same (index, term) is applied, and it has failed for good once an entry with a different term
 * is applied at its index, or an entry of a higher term is applied at a lower index.
 */
public sealed interface ProposeResult {
    /** Appended to the leader's log at (index, term). */
    record Accepted(long index, long term) implements ProposeResult {
    }

    /** Not the leader; {@code leaderHint} is the leader this node knows of, 0 when unknown. */
    record NotLeader(long leaderHint) implements ProposeResult {
    }

    /** The leader refused for now; retry later. */
    record Rejected(Reason reason) implements ProposeResult {
    }

    /** Why a leader refused a proposal. */
    enum Reason {
        /** A leadership transfer is in progress: proposals would be lost with the old term. */
        TRANSFERRING_LEADERSHIP,
        /** The uncommitted tail reached {@code RaftConfig.uncommittedEntriesMax}: back-pressure. */
        UNCOMMITTED_LIMIT,
        /** Membership: another change is not committed yet (one at a time). */
        MEMBERSHIP_CHANGE_PENDING,
        /** Membership: a new leader has not committed an entry of its own term yet. */
        TERM_NOT_COMMITTED,
        /** Membership: the change does not apply (already a member, not a learner, last voter, ...). */
        INVALID_MEMBERSHIP_CHANGE,
        /** Membership: the learner to promote is not caught up with the leader's log yet. */
        LEARNER_BEHIND
    }
}
