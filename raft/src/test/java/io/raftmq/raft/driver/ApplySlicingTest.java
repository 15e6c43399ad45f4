package io.raftmq.raft.driver;

import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;

import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Apply slicing (docs/raft-driver.md, "Apply slicing") on the hand-driven {@link AgentHarness}: a follower that was
 * cut off comes back with thousands of committed entries to apply through a slow state machine (each apply moves
 * the shared {@link ManualClock} by 2 ms, so a backlog of 2,000 entries is 4 s of work), the leader dies while the
 * follower is still applying, and a new leader must be elected within the normal election time. Without slicing
 * the follower would apply its whole backlog in one duty cycle, tick at most twice meanwhile, and keep honouring
 * the dead leader's lease for seconds. Deterministic for a seed ({@code -Dapply.seed=N}, printed).
 */
class ApplySlicingTest {
    private static final int BACKLOG = 2_000;
    private static final long APPLY_COST_MS = 2;
    /** Longest election timeout (2 x 30 ticks of 10 ms) plus pre-vote, vote and no-op round trips. */
    private static final long ELECTION_BOUND_MS = 1_000;

    private AgentHarness h;
    private AgentHarness.Node slow;
    /** Longest clock advance within one duty cycle of the slow node. */
    private long slowCycleMaxNs;
    /** Cycles of the slow node that sent a vote message while it had entries left to apply before and after. */
    private int votesWhileApplying;

    @Test
    void aFollowerStillApplyingVotesAndANewLeaderIsElectedInTime() {
        long seed = Seeds.seed("apply.seed", 7);
        h = new AgentHarness(3, seed, DurabilityMode.QUORUM_FSYNC);
        AgentHarness.Node leader = h.awaitLeader();
        slow = follower(leader, 0);
        AgentHarness.Node other = follower(leader, slow.id);
        cut(slow, true);
        for (int i = 0; i < BACKLOG; i++) {
            leader.agent.propose(16, new byte[] {(byte) i});
        }
        run(() -> other.agent.status().appliedIndex() >= BACKLOG, 100_000);

        h.applyCostMs[(int) slow.id] = APPLY_COST_MS;
        cut(slow, false);
        long target = leader.agent.status().commitIndex();
        run(() -> slow.agent.status().commitIndex() == target && lag(slow) > BACKLOG / 2, 100_000);
        long termBefore = leader.agent.status().term();
        leader.halted = true;
        long killedNs = h.clock.nanoTime();
        run(() -> newLeader(termBefore) != null, 100_000);
        long electionMs = (h.clock.nanoTime() - killedNs) / 1_000_000;
        long lagAtElection = lag(slow);
        AgentHarness.Node next = newLeader(termBefore);
        System.out.printf("RESULT apply-slicing seed=%d election_ms=%d new_leader=%d slow=%d lag_at_election=%d"
            + " slow_cycle_max_ms=%.1f votes_while_applying=%d%n", seed, electionMs, next.id, slow.id,
            lagAtElection, slowCycleMaxNs / 1e6, votesWhileApplying);

        assertThat(electionMs).as("dead leader -> new leader (ms of clock)").isLessThan(ELECTION_BOUND_MS);
        assertThat(lagAtElection).as("the slow follower was still applying when the leader was elected")
            .isPositive();
        assertThat(votesWhileApplying).as("vote messages sent between apply slices").isPositive();
        assertThat(slowCycleMaxNs).as("one duty cycle: one slice, overrun by at most one entry")
            .isLessThanOrEqualTo((RaftAgentConfig.APPLY_SLICE_MS_DEFAULT + APPLY_COST_MS) * 1_000_000L);

        run(() -> slow.agent.status().appliedIndex() == slow.agent.status().commitIndex()
            && slow.agent.status().commitIndex() == next.agent.status().commitIndex(), 100_000);
        assertThat(slow.applied).as("the slow follower applied exactly the leader's entries, in order")
            .isEqualTo(next.applied.subList(0, slow.applied.size()));
    }

    private AgentHarness.Node follower(AgentHarness.Node leader, long not) {
        for (int id = 1; id < h.nodes.length; id++) {
            if (id != leader.id && id != not) {
                return h.nodes[id];
            }
        }
        throw new AssertionError("no follower");
    }

    private void cut(AgentHarness.Node n, boolean on) {
        for (int id = 1; id < h.nodes.length; id++) {
            h.cut[(int) n.id][id] = on;
            h.cut[id][(int) n.id] = on;
        }
    }

    private static long lag(AgentHarness.Node n) {
        return n.agent.status().commitIndex() - n.agent.status().appliedIndex();
    }

    private AgentHarness.Node newLeader(long termBefore) {
        AgentHarness.Node l = h.leader();
        return l != null && l.agent.status().term() > termBefore ? l : null;
    }

    /** As {@link AgentHarness#runUntil}, measuring the slow node's cycles and the votes it sends meanwhile. */
    private void run(BooleanSupplier done, int roundsMax) {
        for (int round = 0; round < roundsMax; round++) {
            if (done.getAsBoolean()) {
                return;
            }
            int work = 0;
            for (int id = 1; id < h.nodes.length; id++) {
                AgentHarness.Node n = h.nodes[id];
                if (!n.halted) {
                    work += n == slow ? slowCycle() : n.agent.doWork();
                }
            }
            if (work == 0) {
                h.clock.advanceMs(10);
            }
        }
        throw new AssertionError("condition not reached within " + roundsMax + " rounds (seed " + h.seed + ")");
    }

    private int slowCycle() {
        boolean applyingBefore = lag(slow) > 0;
        int eventsBefore = slow.events.size();
        long start = h.clock.nanoTime();
        int work = slow.agent.doWork();
        slowCycleMaxNs = Math.max(slowCycleMaxNs, h.clock.nanoTime() - start);
        if (applyingBefore && lag(slow) > 0 && sentVoteMessage(eventsBefore)) {
            votesWhileApplying++;
        }
        return work;
    }

    private boolean sentVoteMessage(int from) {
        for (int i = from; i < slow.events.size(); i++) {
            String e = slow.events.get(i);
            if (e.startsWith("send VoteResponse") || e.startsWith("send RequestVote")) {
                return true;
            }
        }
        return false;
    }
}
