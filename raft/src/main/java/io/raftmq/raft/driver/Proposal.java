package io.raftmq.raft.driver;

/**
 * One client proposal on its way through a {@link RaftAgent}: what to append, whom to tell, by when. Queued by
 * any thread; once taken by the agent its (index, term) are set and it waits in {@link PendingProposals}.
 * Completion goes through {@link PendingProposals#commit} and {@link PendingProposals#fail}, which shield the
 * agent from callbacks that throw.
 */
final class Proposal {
    final int type;
    final byte[] payload;
    final ProposalCallback callback;
    /** When it was proposed ({@link NanoClock}): the start of its propose-to-commit latency. */
    final long proposedNs;
    final long deadlineNs;
    /** Set by the agent thread when the leader accepted the entry; owned by it from then on. */
    long index;
    long term;

    Proposal(int type, byte[] payload, ProposalCallback callback, long proposedNs, long deadlineNs) {
        this.type = type;
        this.payload = payload;
        this.callback = callback;
        this.proposedNs = proposedNs;
        this.deadlineNs = deadlineNs;
    }
}
