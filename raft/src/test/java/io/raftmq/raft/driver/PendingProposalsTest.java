package io.raftmq.raft.driver;

import io.raftmq.raft.core.ProposeResult;
import io.raftmq.raft.log.Entry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: {@link PendingProposals} completes each accepted proposal by its (index, term): committed when the applied
 * entry matches, NotLeaderException when another leader's entry took the index (on apply or when a newer proposal
 * overwrites it), timeout past the deadline or under a snapshot, STOPPED on failAll; a throwing callback is counted,
 * not propagated; accepted proposals are counted and each committed one tells the latency observer its
 * propose-to-commit time, failed ones do not. Method: recording callbacks, a manual clock, no agent, no threads.
 */
class PendingProposalsTest {
    private static final long SELF = 1;
    private final ManualClock clock = new ManualClock(1_000);
    private final PendingProposals pending = new PendingProposals(SELF, clock);

    /** Records the outcome of one proposal as text. */
    private static final class Outcome implements ProposalCallback {
        final List<String> seen = new ArrayList<>();

        @Override
        public void onCommitted(long index, long term) {
            seen.add("committed " + index + "@" + term);
        }

        @Override
        public void onFailure(ProposalException cause) {
            seen.add(cause instanceof NotLeaderException n ? "not leader, hint " + n.leaderHint()
                : cause.getClass().getSimpleName());
        }
    }

    private Outcome propose(long deadlineNs, long index, long term) {
        Outcome o = new Outcome();
        pending.proposed(new Proposal(Entry.TYPE_APPLICATION_MIN, new byte[0], o, 0, deadlineNs),
            new ProposeResult.Accepted(index, term));
        return o;
    }

    private static Entry entry(long index, long term) {
        return new Entry(term, index, Entry.TYPE_APPLICATION_MIN, new byte[0]);
    }

    @Test
    void appliedEntriesCommitMatchingProposalsAndFailReplacedOnes() {
        Outcome a = propose(100, 5, 2);
        Outcome b = propose(100, 6, 2);
        pending.applied(entry(5, 2), SELF);
        pending.applied(entry(6, 3), 7); // another leader's entry at 6
        assertThat(a.seen).containsExactly("committed 5@2");
        assertThat(b.seen).containsExactly("not leader, hint 7");
    }

    @Test
    void aNewerLeadersProposalAtTheSameIndexFailsTheOverwrittenOnes() {
        Outcome old5 = propose(100, 5, 2);
        Outcome old6 = propose(100, 6, 2);
        Outcome new5 = propose(100, 5, 4);
        assertThat(old5.seen).containsExactly("not leader, hint " + SELF);
        assertThat(old6.seen).containsExactly("not leader, hint " + SELF);
        assertThat(new5.seen).isEmpty();
        assertThatThrownBy(() -> propose(100, 5, 4)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("two proposals at one index in one term");
    }

    @Test
    void refusalsFailAtOnce() {
        Outcome notLeader = new Outcome();
        Outcome busy = new Outcome();
        pending.proposed(new Proposal(16, new byte[0], notLeader, 0, 100), new ProposeResult.NotLeader(3));
        pending.proposed(new Proposal(16, new byte[0], busy, 0, 100),
            new ProposeResult.Rejected(ProposeResult.Reason.UNCOMMITTED_LIMIT));
        assertThat(notLeader.seen).containsExactly("not leader, hint 3");
        assertThat(busy.seen).containsExactly("ProposalRejectedException");
    }

    @Test
    void deadlinesSnapshotsAndStopFailTheRest() {
        Outcome early = propose(10, 1, 1);
        Outcome late = propose(50, 2, 1);
        assertThat(pending.expire(9, 1)).isZero();
        assertThat(pending.expire(10, 1)).isEqualTo(1);
        assertThat(early.seen).containsExactly("ProposalTimeoutException");
        Outcome beyond = propose(50, 3, 1);
        pending.skipThrough(2);
        assertThat(late.seen).containsExactly("ProposalTimeoutException");
        pending.failAll(new ProposalRejectedException(ProposalRejectedException.Reason.STOPPED));
        assertThat(beyond.seen).containsExactly("ProposalRejectedException");
        pending.applied(entry(3, 1), SELF);
        assertThat(beyond.seen).as("completed once").hasSize(1);
    }

    @Test
    void aThrowingCallbackIsCountedNotPropagated() {
        ProposalCallback bad = new ProposalCallback() {
            @Override
            public void onCommitted(long index, long term) {
                throw new IllegalArgumentException("client bug");
            }

            @Override
            public void onFailure(ProposalException cause) {
                throw new IllegalArgumentException("client bug");
            }
        };
        pending.proposed(new Proposal(16, new byte[0], bad, 0, 100), new ProposeResult.Accepted(1, 1));
        pending.applied(entry(1, 1), SELF);
        pending.fail(new Proposal(16, new byte[0], bad, 0, 100), new NotLeaderException(0));
        assertThat(pending.callbackErrors()).isEqualTo(2);
    }

    @Test
    void acceptedProposalsAreCountedAndCommittedOnesTimed() {
        List<Long> latencies = new ArrayList<>();
        pending.observeLatency(latencies::add);
        Outcome refused = new Outcome();
        pending.proposed(new Proposal(16, new byte[0], refused, 1_000, 10_000), new ProposeResult.NotLeader(3));
        pending.proposed(new Proposal(16, new byte[0], new Outcome(), 1_000, 10_000), new ProposeResult.Accepted(1, 1));
        pending.proposed(new Proposal(16, new byte[0], new Outcome(), 1_200, 10_000), new ProposeResult.Accepted(2, 1));
        pending.proposed(new Proposal(16, new byte[0], new Outcome(), 1_300, 10_000), new ProposeResult.Accepted(3, 1));
        assertThat(pending.accepted()).as("the refused one is not counted").isEqualTo(3);
        clock.advanceMs(1);
        pending.applied(entry(1, 1), SELF);
        pending.applied(entry(2, 2), 7); // another leader's entry: failed, not timed
        assertThat(latencies).containsExactly(1_000_000L);
        clock.advanceMs(1);
        pending.applied(entry(3, 1), SELF);
        assertThat(latencies).containsExactly(1_000_000L, 1_999_700L);
    }
}
