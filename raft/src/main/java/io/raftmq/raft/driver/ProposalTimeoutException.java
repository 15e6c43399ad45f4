package io.raftmq.raft.driver;

/**
 * The proposal was not known committed within {@code proposalTimeoutMs}. Its outcome is unknown: it may still
 * commit later.
 */
public final class ProposalTimeoutException extends ProposalException {
    private static final long serialVersionUID = 1L;

    public ProposalTimeoutException(long timeoutMs) {
        super("proposal not committed within " + timeoutMs + " ms; outcome unknown");
    }
}
