package io.raftmq.raft.driver;

/** The proposal was refused before it entered the log; it will never commit. Retry later (except STOPPED). */
public final class ProposalRejectedException extends ProposalException {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    public ProposalRejectedException(Reason reason) {
        super("proposal rejected: " + reason);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Why a proposal was refused. */
    public enum Reason {
        /** The agent's proposal queue is full (back-pressure). */
        QUEUE_FULL,
        /** The leader's uncommitted tail is at its limit (back-pressure). */
        UNCOMMITTED_LIMIT,
        /** A leadership transfer is in progress. */
        TRANSFERRING_LEADERSHIP,
        /** The agent stopped, or failed. */
        STOPPED,
        /** Membership: another change is not committed yet. */
        MEMBERSHIP_CHANGE_PENDING,
        /** Membership: the new leader has not committed an entry of its own term yet (retry shortly). */
        TERM_NOT_COMMITTED,
        /** Membership: the change does not apply to the current membership (never retry as is). */
        INVALID_MEMBERSHIP_CHANGE,
        /** Membership: the learner to promote is not caught up yet. */
        LEARNER_BEHIND
    }
}
