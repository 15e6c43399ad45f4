package io.raftmq.raft.driver;

import io.raftmq.raft.core.Role;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: an agent's role listeners hear every change of role, term, leader and applied term, within the cycle that
 * made it, and nothing while only the log, commit and applied index move (so the broker's leadership watchers need
 * not poll). Method: three agents driven by hand ({@link AgentHarness}, seeded); each node's listener records what it
 * is told and the node's own status at that moment; an election, 50 proposals, a leadership transfer.
 */
class RoleListenerTest {
    private record Told(RaftStatus status, long appliedTerm) {
    }

    @Test
    void listenersHearRoleTermLeaderAndAppliedTermChangesOnly() {
        AgentHarness h = new AgentHarness(3, Seeds.seed("roleListener.seed", 7), DurabilityMode.QUORUM_FSYNC);
        List<List<Told>> told = new ArrayList<>();
        told.add(null);
        for (int id = 1; id <= 3; id++) {
            List<Told> list = new ArrayList<>();
            told.add(list);
            AgentHarness.Node n = h.nodes[id];
            n.agent.addRoleListener(s -> list.add(new Told(s, n.applied.isEmpty() ? 0
                : n.applied.get(n.applied.size() - 1).term())));
        }
        AgentHarness.Node leader = h.awaitLeader();
        long term = leader.agent.status().term();
        h.runUntil(() -> allApplied(h, 1), 10_000);
        for (int id = 1; id <= 3; id++) {
            List<Told> list = told.get(id);
            Told last = list.get(list.size() - 1);
            assertThat(last.status().term()).as("node %d", id).isEqualTo(term);
            assertThat(last.status().leaderId()).as("node %d", id).isEqualTo(leader.id);
            assertThat(last.appliedTerm()).as("node %d told once it applied an entry of the term", id).isEqualTo(term);
            assertThat(last.status().isLeader()).isEqualTo(id == leader.id);
        }
        assertThat(told.get((int) leader.id)).as("told when it became leader, before it applied its no-op")
            .anyMatch(t -> t.status().role() == Role.LEADER && t.appliedTerm() < term);

        int[] before = sizes(told);
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(leader.agent.propose(16, new byte[] {(byte) i}));
            h.runRounds(3);
        }
        h.runUntil(() -> futures.stream().allMatch(CompletableFuture::isDone) && allApplied(h, 51), 10_000);
        h.runRounds(200); // heartbeats only
        assertThat(sizes(told)).as("nothing told while only indexes move").containsExactly(before);

        long target = leader.id == 3 ? 1 : leader.id + 1;
        leader.agent.transferLeadership(target);
        h.runUntil(() -> h.leader() != null && h.leader().id == target && allApplied(h, 52), 10_000);
        List<Told> oldLeader = told.get((int) leader.id);
        assertThat(oldLeader.get(oldLeader.size() - 1).status().role()).isEqualTo(Role.FOLLOWER);
        List<Told> newLeader = told.get((int) target);
        Told last = newLeader.get(newLeader.size() - 1);
        assertThat(last.status().isLeader()).isTrue();
        assertThat(last.appliedTerm()).as("told once ready in its term").isEqualTo(last.status().term());
        for (int id = 1; id <= 3; id++) {
            assertThat(told.get(id).size() - before[id]).as("node %d: a few calls per change, not one per cycle", id)
                .isBetween(1, 6);
        }
    }

    private static boolean allApplied(AgentHarness h, int count) {
        for (int id = 1; id <= 3; id++) {
            if (h.nodes[id].applied.size() < count) {
                return false;
            }
        }
        return true;
    }

    private static int[] sizes(List<List<Told>> told) {
        int[] s = new int[told.size()];
        for (int i = 1; i < told.size(); i++) {
            s[i] = told.get(i).size();
        }
        return s;
    }
}
