package io.raftmq.broker.entry;

/**
 * A proposal that will not be confirmed: refused (queue full), timed out before commit, or the node is stopping.
 * The entry may still be committed later; callers must not assume it was not applied.
 */
public final class ProposalFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProposalFailedException(String message) {
        super(message);
    }

    public ProposalFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
