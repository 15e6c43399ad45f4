package io.raftmq.broker.entry;

import io.raftmq.raft.driver.NotLeaderException;

import java.util.concurrent.CompletableFuture;

/**
 * Port: proposes a typed entry to the broker group's Raft log. Implemented by the replication layer (raft agent
 * adapter); tests use an in-memory proposer that "commits" synchronously.
 *
 * <p>Contract: the returned future completes normally only after the entry is <b>committed and applied on this
 * node</b> (so a read after completion sees the change). It fails with
 * <ul>
 *   <li>{@link NotLeaderException} when this node is not the leader (followers reject; forwarding to the leader,
 *       if wanted, is the wiring layer's job, using the leader's node id {@link NotLeaderException#leaderHint()},
 *       0 when unknown);</li>
 *   <li>{@link ProposalFailedException} when the proposal was refused (queue full), timed out before commit, or
 *       the node is stopping; the entry may or may not be committed later.</li>
 * </ul>
 * Thread-safety: callable from any thread. The future may complete on the raft agent's thread: callbacks must be
 * short and must not block. Ownership: {@code payload} is handed over and must not be modified afterwards.
 */
public interface MetadataProposer {
    /** Whether this node currently believes it is the leader (a hint: propose may still fail). */
    boolean isLeader();

    /** Proposes an entry of {@code type} (one of {@link EntryType}'s metadata types) with {@code payload}. */
    CompletableFuture<Void> propose(byte type, byte[] payload);
}
