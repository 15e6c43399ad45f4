package io.raftmq.raft.driver;

import java.util.concurrent.CompletableFuture;

/**
 * A proposal's outcome as a future: completes with the committed index, or exceptionally with the
 * {@link ProposalException}. Backs {@link RaftAgent#propose(int, byte[])}.
 */
final class IndexFuture extends CompletableFuture<Long> implements ProposalCallback {
    @Override
    public void onCommitted(long index, long term) {
        complete(index);
    }

    @Override
    public void onFailure(ProposalException cause) {
        completeExceptionally(cause);
    }
}
