package io.raftmq.raft.driver;

/**
 * Why a proposal did not commit: one of {@link NotLeaderException}, {@link ProposalTimeoutException} or
 * {@link ProposalRejectedException}. Stack traces are not filled in: these are expected operating outcomes.
 */
public abstract sealed class ProposalException extends RuntimeException
    permits NotLeaderException, ProposalTimeoutException, ProposalRejectedException {
    private static final long serialVersionUID = 1L;

    ProposalException(String message) {
        super(message, null, false, false);
    }
}
