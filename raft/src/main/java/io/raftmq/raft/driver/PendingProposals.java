package io.raftmq.raft.driver;

import io.raftmq.raft.Verify;
import io.raftmq.raft.core.ProposeResult;
import io.raftmq.raft.log.Entry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The proposals a {@link RaftAgent} accepted into its log and that wait for their entry to be applied, in index
 * order (which is also submission order). Each is keyed by the (index, term) the leader gave it: it commits when
 * the applied entry at its index has its term, and fails with {@link NotLeaderException} when a newer leader's
 * entry took its place (this node stepped down and its uncommitted suffix was overwritten), with
 * {@link ProposalTimeoutException} past its deadline or under an installed snapshot, and with STOPPED when the
 * agent stops.
 *
 * <p>Threads: the queue is the agent thread's; {@link #commit} and {@link #fail} may be called from any thread
 * (a proposal refused at once fails on the proposing thread). A callback that throws is counted and logged, never
 * propagated into the agent.
 *
 * <p>Metrics (docs/metrics.md "Raft"): it counts the proposals the core accepted (agent thread, racy elsewhere) and
 * tells an optional latency observer, once per committed proposal, the nanoseconds from its propose call to its
 * commit callback; without an observer no clock is read.
 */
final class PendingProposals {
    private static final Logger LOG = LoggerFactory.getLogger(PendingProposals.class);

    private final long nodeId;
    private final NanoClock clock;
    private final ArrayDeque<Proposal> pending = new ArrayDeque<>();
    private final AtomicLong callbackErrors = new AtomicLong();
    /** Proposals the core accepted (agent thread; racy elsewhere). */
    private long accepted;
    private volatile LongConsumer latencyObserver;

    PendingProposals(long nodeId, NanoClock clock) {
        this.nodeId = nodeId;
        this.clock = clock;
    }

    /** Tells {@code observer} each committed proposal's propose-to-commit nanoseconds from now on. Any thread. */
    void observeLatency(LongConsumer observer) {
        latencyObserver = observer;
    }

    /** Proposals the core accepted so far. Any thread, racy. */
    long accepted() {
        return accepted;
    }

    /** Records what the core answered to {@code p}: accepted (now pending), not the leader, or rejected. */
    void proposed(Proposal p, ProposeResult r) {
        if (r instanceof ProposeResult.Accepted a) {
            accepted(p, a.index(), a.term());
        } else if (r instanceof ProposeResult.NotLeader nl) {
            fail(p, new NotLeaderException(nl.leaderHint()));
        } else {
            fail(p, new ProposalRejectedException(rejectReason((ProposeResult.Rejected) r)));
        }
    }

    private static ProposalRejectedException.Reason rejectReason(ProposeResult.Rejected r) {
        return switch (r.reason()) {
            case UNCOMMITTED_LIMIT -> ProposalRejectedException.Reason.UNCOMMITTED_LIMIT;
            case TRANSFERRING_LEADERSHIP -> ProposalRejectedException.Reason.TRANSFERRING_LEADERSHIP;
            case MEMBERSHIP_CHANGE_PENDING -> ProposalRejectedException.Reason.MEMBERSHIP_CHANGE_PENDING;
            case TERM_NOT_COMMITTED -> ProposalRejectedException.Reason.TERM_NOT_COMMITTED;
            case INVALID_MEMBERSHIP_CHANGE -> ProposalRejectedException.Reason.INVALID_MEMBERSHIP_CHANGE;
            case LEARNER_BEHIND -> ProposalRejectedException.Reason.LEARNER_BEHIND;
        };
    }

    /**
     * The leader accepted {@code p} at (index, term). Pending proposals at or past that index were overwritten by
     * this newer entry: they fail with {@link NotLeaderException} naming this node.
     */
    private void accepted(Proposal p, long index, long term) {
        while (!pending.isEmpty() && pending.peekLast().index >= index) {
            Proposal lost = pending.pollLast();
            Verify.state(lost.term < term, "two proposals at one index in one term", lost.index, term);
            fail(lost, new NotLeaderException(nodeId));
        }
        p.index = index;
        p.term = term;
        pending.addLast(p);
        accepted++;
    }

    /**
     * Entry {@code e} was applied: proposals up to its index complete, committed when they match it and failed
     * with {@link NotLeaderException} (hint {@code leaderId}) when another leader's entry replaced them.
     */
    void applied(Entry e, long leaderId) {
        while (!pending.isEmpty() && pending.peekFirst().index <= e.index()) {
            Proposal p = pending.pollFirst();
            if (p.index == e.index() && p.term == e.term()) {
                commit(p);
            } else {
                fail(p, new NotLeaderException(leaderId));
            }
        }
    }

    /** A snapshot covers indexes this node will never apply one by one: their proposals' outcome is unknown. */
    void skipThrough(long index) {
        while (!pending.isEmpty() && pending.peekFirst().index <= index) {
            fail(pending.pollFirst(), new ProposalTimeoutException("a snapshot through index " + index
                + " was installed over this proposal"));
        }
    }

    /** Fails proposals past their deadline at {@code nowNs}; returns how many. */
    int expire(long nowNs, long timeoutMs) {
        int n = 0;
        while (!pending.isEmpty() && nowNs - pending.peekFirst().deadlineNs >= 0) {
            fail(pending.pollFirst(), new ProposalTimeoutException(timeoutMs));
            n++;
        }
        return n;
    }

    /** Fails every pending proposal with {@code cause} (the agent stops). */
    void failAll(ProposalException cause) {
        for (Proposal p = pending.pollFirst(); p != null; p = pending.pollFirst()) {
            fail(p, cause);
        }
    }

    /** Tells {@code p}'s client it committed. Any thread. */
    void commit(Proposal p) {
        LongConsumer observer = latencyObserver;
        if (observer != null) {
            observer.accept(clock.nanoTime() - p.proposedNs);
        }
        try {
            p.callback.onCommitted(p.index, p.term);
        } catch (RuntimeException e) { // boundary into client code
            countCallbackError(e);
        }
    }

    /** Tells {@code p}'s client it failed. Any thread. */
    void fail(Proposal p, ProposalException cause) {
        try {
            p.callback.onFailure(cause);
        } catch (RuntimeException e) { // boundary into client code
            countCallbackError(e);
        }
    }

    /** Callbacks that threw. */
    long callbackErrors() {
        return callbackErrors.get();
    }

    private void countCallbackError(RuntimeException e) {
        callbackErrors.incrementAndGet();
        LOG.warn("raft node {}: proposal callback threw", nodeId, e);
    }
}
