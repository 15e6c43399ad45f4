package io.raftmq.broker.sim;

import io.raftmq.broker.replication.SendBatcher;
import io.raftmq.raft.core.ProposeResult;
import io.raftmq.raft.core.RaftNode;
import io.raftmq.raft.driver.NotLeaderException;
import io.raftmq.raft.driver.ProposalCallback;
import io.raftmq.raft.driver.ProposalException;
import io.raftmq.raft.driver.ProposalRejectedException;
import io.raftmq.raft.driver.ProposalTimeoutException;
import io.raftmq.raft.log.Entry;

import java.util.ArrayDeque;

/**
 * One simulated member's proposal path, in place of the raft agent's input queue and pending proposals: the
 * {@link SendBatcher.Proposer} the member's real {@link SendBatcher} proposes through. A proposal waits in a bounded
 * queue until the member's driver is idle ({@link #takeAll}, as the agent takes queued proposals once per cycle),
 * then goes to {@link RaftNode#propose}. Accepted ones wait keyed by (index, term) and complete as the agent's do:
 * committed when the applied entry at their index has their term, {@link NotLeaderException} when another leader's
 * entry took their place, {@link ProposalTimeoutException} past their deadline. A crash drops them unanswered (the
 * process died). Single thread (the simulation's).
 */
final class SimProposals implements SendBatcher.Proposer {
    /** Proposals queued while the driver is busy (the agent's {@code proposalQueueMax}, scaled down). */
    static final int QUEUE_MAX = 1024;

    private record Queued(int type, byte[] payload, ProposalCallback callback) {
    }

    private static final class Pending {
        final int type;
        final long index;
        final long term;
        final long deadlineMs;
        final ProposalCallback callback;

        Pending(int type, long index, long term, long deadlineMs, ProposalCallback callback) {
            this.type = type;
            this.index = index;
            this.term = term;
            this.deadlineMs = deadlineMs;
            this.callback = callback;
        }
    }

    private final SimClock clock;
    private final long timeoutMs;
    private final ArrayDeque<Queued> queued = new ArrayDeque<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    SimProposals(SimClock clock, long timeoutMs) {
        this.clock = clock;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public void propose(int type, byte[] payload, ProposalCallback callback) {
        if (queued.size() >= QUEUE_MAX) {
            callback.onFailure(new ProposalRejectedException(ProposalRejectedException.Reason.QUEUE_FULL));
            return;
        }
        queued.addLast(new Queued(type, payload, callback));
    }

    boolean hasQueued() {
        return !queued.isEmpty();
    }

    /** Hands every queued proposal to the core (the driver is idle: no Ready outstanding). */
    void takeAll(RaftNode raft) {
        while (!queued.isEmpty()) {
            Queued q = queued.pollFirst();
            raft.observeWallClock(SimClock.EPOCH_MS + clock.nowMs());
            ProposeResult r = raft.propose(q.type, q.payload);
            if (r instanceof ProposeResult.Accepted a) {
                accepted(q.type, a.index(), a.term(), q.callback, raft.id());
            } else if (r instanceof ProposeResult.NotLeader nl) {
                q.callback.onFailure(new NotLeaderException(nl.leaderHint()));
            } else {
                ProposeResult.Rejected rej = (ProposeResult.Rejected) r;
                q.callback.onFailure(new ProposalRejectedException(
                    ProposalRejectedException.Reason.valueOf(rej.reason().name())));
            }
        }
    }

    private void accepted(int type, long index, long term, ProposalCallback callback, long self) {
        while (!pending.isEmpty() && pending.peekLast().index >= index) {
            Pending lost = pending.pollLast();
            if (lost.term >= term) {
                throw new AssertionError("two proposals at index " + index + " in term " + term);
            }
            lost.callback.onFailure(new NotLeaderException(self));
        }
        pending.addLast(new Pending(type, index, term, clock.nowMs() + timeoutMs, callback));
    }

    /** Entry {@code e} was applied: proposals up to its index complete (committed or replaced). */
    void applied(Entry e, long leaderHint) {
        while (!pending.isEmpty() && pending.peekFirst().index <= e.index()) {
            Pending p = pending.pollFirst();
            if (p.index == e.index() && p.term == e.term()) {
                p.callback.onCommitted(e.index(), e.term());
            } else {
                p.callback.onFailure(new NotLeaderException(leaderHint));
            }
        }
    }

    /**
     * A leader's snapshot through {@code index} was installed over the proposals at or below it: failed with an
     * unknown outcome, as the agent's {@code PendingProposals.skipThrough}.
     */
    void skipThrough(long index) {
        while (!pending.isEmpty() && pending.peekFirst().index <= index) {
            pending.pollFirst().callback.onFailure(new ProposalTimeoutException("a snapshot through index " + index
                + " was installed over this proposal"));
        }
    }

    /** Fails the proposals whose deadline passed (outcome unknown: the entry may still commit). */
    void expire() {
        long now = clock.nowMs();
        while (!pending.isEmpty() && pending.peekFirst().deadlineMs <= now) {
            Pending p = pending.pollFirst();
            p.callback.onFailure(new ProposalTimeoutException(timeoutMs));
        }
    }

    /** Everything pending or queued, for the failure report. */
    String describe() {
        return "queued=" + queued.size() + " pending=" + pending.size();
    }

    /**
     * The process died: its proposals of {@code type} and {@code type2} are failed with {@code cause} and
     * dropped, the others are dropped unanswered. Not what the dead process does; only so that what the callbacks
     * hold (the send processor's reference to each request, a lock call's answer, docs/simulation.md "Buffers") is
     * released.
     */
    void abandon(int type, int type2, ProposalException cause) {
        ArrayDeque<ProposalCallback> fail = new ArrayDeque<>();
        for (Queued q : queued) {
            if (q.type == type || q.type == type2) {
                fail.add(q.callback);
            }
        }
        for (Pending p : pending) {
            if (p.type == type || p.type == type2) {
                fail.add(p.callback);
            }
        }
        queued.clear();
        pending.clear();
        fail.forEach(c -> c.onFailure(cause));
    }
}
