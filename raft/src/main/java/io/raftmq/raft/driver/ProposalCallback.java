package io.raftmq.raft.driver;

/**
 * Completion of one proposal. Called exactly once, on the raft agent's thread (or the proposing thread when the
 * proposal is refused at once): keep it short and never block or call back into the agent synchronously.
 */
public interface ProposalCallback {
    /** The entry is committed at {@code index} in {@code term} and was applied on this node. */
    void onCommitted(long index, long term);

    /**
     * The proposal failed: {@link NotLeaderException} (with a leader hint), {@link ProposalTimeoutException} or
     * {@link ProposalRejectedException}. It was not committed by this attempt (a timed-out proposal may still
     * commit later: retrying may duplicate it).
     */
    void onFailure(ProposalException cause);
}
