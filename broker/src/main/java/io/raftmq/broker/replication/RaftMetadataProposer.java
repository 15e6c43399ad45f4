package io.raftmq.broker.replication;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.entry.ProposalFailedException;
import io.raftmq.raft.driver.NotLeaderException;
import io.raftmq.raft.driver.ProposalCallback;
import io.raftmq.raft.driver.ProposalException;
import io.raftmq.raft.driver.RaftAgent;

import java.util.concurrent.CompletableFuture;

/**
 * {@link MetadataProposer} on top of the {@link RaftAgent}: topic, group and offset changes become Raft entries of
 * their {@link EntryType}. The future completes after the entry was committed and applied on this node (the agent
 * runs the callback right after the apply). Raft's {@link NotLeaderException} (leader hint: the leader's node
 * id) passes through as it is; timeouts and refusals become {@link ProposalFailedException}.
 *
 * <p>The agent is bound after construction ({@link #bind}), because the managers that use this proposer are
 * built before the agent that applies their entries. Threads: any; futures complete on the agent thread.
 */
public final class RaftMetadataProposer implements MetadataProposer {
    private volatile RaftAgent agent;

    /** Binds the agent; proposals before this fail with NotLeaderException. */
    public void bind(RaftAgent a) {
        this.agent = a;
    }

    @Override
    public boolean isLeader() {
        RaftAgent a = agent;
        return a != null && a.status().isLeader();
    }

    @Override
    public CompletableFuture<Void> propose(byte type, byte[] payload) {
        RaftAgent a = agent;
        if (a == null) {
            return CompletableFuture.failedFuture(new NotLeaderException(0));
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        a.propose(type & 0xFF, payload, new ProposalCallback() {
            @Override
            public void onCommitted(long index, long term) {
                f.complete(null);
            }

            @Override
            public void onFailure(ProposalException cause) {
                f.completeExceptionally(translate(cause));
            }
        });
        return f;
    }

    /** Maps a raft proposal failure to the broker's exceptions. */
    RuntimeException translate(ProposalException cause) {
        if (cause instanceof NotLeaderException n) {
            return n;
        }
        return new ProposalFailedException(cause.getMessage(), cause);
    }
}
