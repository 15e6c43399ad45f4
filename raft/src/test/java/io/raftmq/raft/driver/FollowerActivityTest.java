package io.raftmq.raft.driver;

import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: what retention reads from the agent is right: a leader reports each follower's match index and how long it
 * has been silent (a follower cut off grows silent, one that answers stays within a check-quorum round), a follower
 * reports nothing, and a task handed to {@link RaftAgent#runOnAgentThread} runs on the next duty cycle, in order.
 * Method: three agents driven by hand ({@link AgentHarness}: manual clock, in-memory transport), seed printed on
 * failure.
 */
class FollowerActivityTest {
    private static final long SEED = Seeds.seed("raft.followers.seed", 20261206L);

    @Test
    void aLeaderReportsMatchAndSilenceOfEachFollower() {
        AgentHarness h = new AgentHarness(3, SEED, DurabilityMode.QUORUM_FSYNC);
        AgentHarness.Node leader = h.awaitLeader();
        CompletableFuture<Long> f = leader.agent.propose(16, new byte[] {1});
        h.runUntil(f::isDone, 10_000);
        long last = leader.agent.status().lastIndex();
        h.runUntil(() -> leader.agent.followers().stream().allMatch(p -> p.matchIndex() == last), 10_000);
        assertThat(leader.agent.followers()).as("seed %d", SEED).hasSize(2)
            .allSatisfy(p -> assertThat(p.silentMs()).isLessThanOrEqualTo(1000));
        for (int id = 1; id <= 3; id++) {
            if (id != leader.id) {
                assertThat(h.nodes[id].agent.followers()).as("a follower reports none").isEmpty();
            }
        }
        long cutOff = leader.id == 3 ? 1 : leader.id + 1;
        h.cut[(int) cutOff][(int) leader.id] = true; // its answers are lost: the leader no longer hears it
        long start = h.clock.nanoTime();
        h.runUntil(() -> h.clock.nanoTime() - start > 3_000_000_000L, 100_000);
        FollowerProgress silent = progressOf(leader.agent, cutOff);
        assertThat(silent.silentMs()).as("seed %d", SEED).isGreaterThanOrEqualTo(2000);
        assertThat(silent.matchIndex()).isEqualTo(last);
        long other = 6 - leader.id - cutOff;
        assertThat(progressOf(leader.agent, other).silentMs()).isLessThanOrEqualTo(1000);
    }

    @Test
    void tasksRunOnTheNextDutyCycleInOrder() {
        AgentHarness h = new AgentHarness(3, SEED, DurabilityMode.QUORUM_FSYNC);
        AgentHarness.Node leader = h.awaitLeader();
        List<String> ran = new ArrayList<>();
        leader.agent.runOnAgentThread(() -> ran.add("first"));
        leader.agent.runOnAgentThread(() -> ran.add("second"));
        assertThat(ran).isEmpty();
        leader.agent.doWork();
        assertThat(ran).containsExactly("first", "second");
        leader.agent.doWork();
        assertThat(ran).hasSize(2);
    }

    private static FollowerProgress progressOf(RaftAgent agent, long id) {
        return agent.followers().stream().filter(p -> p.nodeId() == id).findFirst().orElseThrow();
    }
}
