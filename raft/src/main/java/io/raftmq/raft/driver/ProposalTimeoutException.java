package io.raftmq.raft.driver;

/**
 * The outcome of the proposal is unknown: it was not known committed within {@code proposalTimeoutMs}, or this
 * node skipped past its index by installing a snapshot. It may have committed, or may still commit later.
 */
public final class ProposalTimeoutException extends ProposalException {
    private static final long serialVersionUID = 1L;

    public ProposalTimeoutException(long timeoutMs) {
        super("proposal not committed within " + timeoutMs + " ms; outcome unknown");
    }

    /** For an outcome that became unknown for another reason, named in {@code why}. */
    public ProposalTimeoutException(String why) {
        super(why + "; outcome unknown");
    }
}
