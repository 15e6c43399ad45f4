package io.raftmq.broker.sim;

import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.entry.ProposalFailedException;
import io.raftmq.raft.core.Role;
import io.raftmq.raft.driver.NotLeaderException;
import io.raftmq.raft.driver.ProposalCallback;
import io.raftmq.raft.driver.ProposalException;

import java.util.concurrent.CompletableFuture;

/**
 * A simulated member's {@link MetadataProposer}, the role the broker's {@code RaftMetadataProposer} plays over the
 * raft agent: metadata entries (here consumer offset batches from the member's real {@code ConsumerOffsetManager})
 * go through the member's {@link SimProposals}, the same path as its sends, and the future completes once the
 * entry is committed and applied on this member. Not-leader failures pass through; any other failure becomes
 * {@link ProposalFailedException}, as in the broker. Single thread (the simulation's).
 */
final class SimMetadataProposer implements MetadataProposer {
    private final SimMember member;

    SimMetadataProposer(SimMember member) {
        this.member = member;
    }

    @Override
    public boolean isLeader() {
        return member.up && member.raft != null && member.raft.role() == Role.LEADER;
    }

    @Override
    public CompletableFuture<Void> propose(byte type, byte[] payload) {
        if (!member.up || member.proposals == null) {
            return CompletableFuture.failedFuture(new NotLeaderException(0));
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        member.proposals.propose(type & 0xFF, payload, new ProposalCallback() {
            @Override
            public void onCommitted(long index, long term) {
                f.complete(null);
            }

            @Override
            public void onFailure(ProposalException cause) {
                f.completeExceptionally(cause instanceof NotLeaderException n ? n
                    : new ProposalFailedException(cause.getMessage(), cause));
            }
        });
        return f;
    }
}
