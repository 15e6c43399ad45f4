package io.raftmq.raft.driver;

import io.raftmq.raft.core.Role;
import io.raftmq.raft.core.TransferResult;
import io.raftmq.raft.log.Entry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the agent drives the core as the Ready contract prescribes (persist before send, fsync per durability
 * mode), batches concurrent proposals into one Ready, completes proposals when committed and fails them with
 * typed errors (NotLeader with hint, Timeout), and transfers leadership on request. Method: three agents driven
 * by hand on one thread ({@link AgentHarness}: manual clock, in-memory transport, recording log and store).
 */
class RaftAgentTest {
    private static final long SEED = 42;
    private static final byte[] PAYLOAD = {1, 2, 3};

    private static AgentHarness cluster(DurabilityMode mode) {
        return new AgentHarness(3, SEED, mode);
    }

    @Test
    void electsALeaderAndCommitsProposalsOnEveryNode() throws Exception {
        AgentHarness h = cluster(DurabilityMode.QUORUM_FSYNC);
        AgentHarness.Node leader = h.awaitLeader();
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(leader.agent.propose(16, new byte[] {(byte) i}));
        }
        h.runUntil(() -> futures.stream().allMatch(CompletableFuture::isDone), 10_000);
        long last = futures.get(19).get();
        h.runUntil(() -> h.nodes[1].applied.size() == last && h.nodes[2].applied.size() == last
            && h.nodes[3].applied.size() == last, 10_000);
        assertThat(h.nodes[1].applied).isEqualTo(h.nodes[2].applied).isEqualTo(h.nodes[3].applied);
        for (int i = 0; i < 20; i++) {
            Entry e = h.nodes[1].applied.get((int) (long) futures.get(i).get() - 1);
            assertThat(e.payload()).containsExactly((byte) i);
        }
        RaftStatus s = leader.agent.status();
        assertThat(s.role()).isEqualTo(Role.LEADER);
        assertThat(s.commitIndex()).isEqualTo(last);
        assertThat(s.lastIndex()).isEqualTo(last);
    }

    @Test
    void votesAndAcknowledgementsLeaveOnlyAfterTheyAreDurable() {
        AgentHarness h = cluster(DurabilityMode.QUORUM_FSYNC);
        AgentHarness.Node leader = h.awaitLeader();
        h.runUntil(() -> leader.agent.status().commitIndex() == 1 && followersApplied(h, leader, 1), 10_000);
        int before = leader.events.size();
        leader.agent.propose(16, PAYLOAD);
        h.runUntil(() -> leader.agent.status().commitIndex() >= 2 && followersApplied(h, leader, 2), 10_000);
        for (int id = 1; id <= 3; id++) {
            List<String> ev = h.nodes[id].events;
            for (int i = 0; i < ev.size(); i++) {
                if (ev.get(i).equals("send VoteResponse granted")) {
                    assertThat(ev.subList(0, i)).as("node %d events %s", id, ev).anyMatch(e -> e.startsWith("save"));
                }
            }
            assertThat(h.nodes[id].ackedPastDurable).as("node %d", id).isEmpty();
            if (h.nodes[id] != leader) {
                assertThat(ev).as("node %d acknowledged", id)
                    .anyMatch(e -> e.startsWith("send AppendEntriesResponse"));
            }
        }
        // The leader pipelines: its AppendEntries of the proposal leave before its own write and sync.
        List<String> ev = leader.events.subList(before, leader.events.size());
        int firstSend = -1;
        for (int i = 0; i < ev.size() && firstSend < 0; i++) {
            firstSend = ev.get(i).startsWith("send AppendEntries +") ? i : -1;
        }
        assertThat(firstSend).isGreaterThanOrEqualTo(0);
        List<String> after = ev.subList(firstSend, ev.size());
        assertThat(after).as("leader %s", ev).contains("write", "sync");
        assertThat(after.indexOf("write")).isLessThan(after.indexOf("sync"));
    }

    @Test
    void theLeaderKeepsSteppingWhileItsOwnSyncIsHeld() throws Exception {
        AgentHarness h = new AgentHarness(3, SEED, DurabilityMode.QUORUM_FSYNC, true);
        AgentHarness.Node leader = h.awaitLeader();
        h.runUntil(() -> leader.agent.status().commitIndex() == 1 && followersApplied(h, leader, 1), 10_000);
        h.syncHeld[(int) leader.id] = true;
        int syncsBefore = leader.syncCalls;
        int appendsBefore = leader.appendCalls;
        CompletableFuture<Long> first = leader.agent.propose(16, PAYLOAD);
        h.runUntil(() -> leader.agent.status().commitIndex() >= 2, 10_000);
        CompletableFuture<Long> second = leader.agent.propose(16, PAYLOAD);
        h.runUntil(() -> leader.agent.status().commitIndex() >= 3, 10_000);
        assertThat(leader.appendCalls - appendsBefore).as("both written without waiting for a sync").isEqualTo(2);
        assertThat(leader.syncCalls).as("no sync of the leader ran").isEqualTo(syncsBefore);
        assertThat(leader.raftLog.durableLastIndex()).as("committed by the followers' durable copies").isEqualTo(1);
        assertThat(first).as("applied, and answered, only once on the leader's own disk too").isNotDone();
        // Now one follower's disk is slow too: one durable copy of three cannot commit.
        AgentHarness.Node follower = h.nodes[leader.id == 1 ? 2 : 1];
        h.syncHeld[(int) follower.id] = true;
        CompletableFuture<Long> third = leader.agent.propose(16, PAYLOAD);
        h.runRounds(100);
        assertThat(leader.agent.status().commitIndex()).as("only one durable copy of entry 4").isEqualTo(3);
        assertThat(follower.ackedPastDurable).isEmpty();
        h.syncHeld[(int) leader.id] = false;
        h.runUntil(third::isDone, 10_000);
        assertThat(first.get()).isEqualTo(2);
        assertThat(second.get()).isEqualTo(3);
        assertThat(third.get()).isEqualTo(4);
        assertThat(leader.syncCalls - syncsBefore).as("one sync covered the three writes (group commit)")
            .isEqualTo(1);
        assertThat(leader.agent.stats().appendsSent()).isPositive();
    }

    @Test
    void metricObserversSeeEachCommittedProposalAndEachAppendEntries() {
        AgentHarness h = new AgentHarness(3, SEED, DurabilityMode.QUORUM_FSYNC);
        AgentHarness.Node leader = h.awaitLeader();
        h.runUntil(() -> leader.agent.status().commitIndex() == 1 && followersApplied(h, leader, 1), 10_000);
        List<Long> latencies = new ArrayList<>();
        List<Long> batches = new ArrayList<>();
        leader.agent.setProposalLatencyObserver(latencies::add);
        leader.agent.setAppendObserver(batches::add);
        AgentStats before = leader.agent.stats();
        List<CompletableFuture<Long>> proposals = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            proposals.add(leader.agent.propose(16, PAYLOAD));
        }
        h.runUntil(() -> proposals.stream().allMatch(CompletableFuture::isDone), 10_000);
        AgentStats after = leader.agent.stats();
        assertThat(after.proposalsAccepted() - before.proposalsAccepted()).isEqualTo(3);
        assertThat(latencies).as("one observation per committed proposal, on the manual clock").hasSize(3)
            .allMatch(ns -> ns >= 0);
        assertThat((long) batches.size()).isEqualTo(after.appendsSent() - before.appendsSent());
        assertThat(batches.stream().mapToLong(Long::longValue).sum())
            .as("entries observed = entries counted").isEqualTo(after.appendEntriesSent() - before.appendEntriesSent())
            .isGreaterThanOrEqualTo(6); // three entries to each of two followers
        assertThat(leader.agent.status().elections().electionsWon()).as("the core's count, published").isEqualTo(1);
    }

    private static boolean followersApplied(AgentHarness h, AgentHarness.Node leader, int n) {
        for (int id = 1; id <= 3; id++) {
            if (h.nodes[id] != leader && h.nodes[id].applied.size() < n) {
                return false;
            }
        }
        return true;
    }

    @Test
    void quorumMemoryModeNeverSyncsEntriesButStillSavesVotes() {
        AgentHarness h = cluster(DurabilityMode.QUORUM_MEMORY);
        AgentHarness.Node leader = h.awaitLeader();
        CompletableFuture<Long> f = leader.agent.propose(16, PAYLOAD);
        h.runUntil(f::isDone, 10_000);
        assertThat(f).isCompleted();
        for (int id = 1; id <= 3; id++) {
            assertThat(h.nodes[id].syncCalls).as("node %d", id).isLessThanOrEqualTo(
                (int) h.nodes[id].events.stream().filter(e -> e.startsWith("save")).count());
        }
        assertThat(leader.events).anyMatch(e -> e.startsWith("save"));
    }

    @Test
    void concurrentProposalsShareOneReady() {
        AgentHarness h = cluster(DurabilityMode.QUORUM_FSYNC);
        AgentHarness.Node leader = h.awaitLeader();
        h.runUntil(() -> leader.agent.status().commitIndex() == leader.agent.status().lastIndex(), 10_000);
        int appendsBefore = leader.appendCalls;
        AtomicInteger committed = new AtomicInteger();
        for (int i = 0; i < 500; i++) {
            leader.agent.propose(16, PAYLOAD, callback(committed, null));
        }
        leader.agent.doWork();
        assertThat(leader.appendCalls - appendsBefore).isEqualTo(1);
        assertThat(leader.raftLog.lastIndex()).isEqualTo(leader.agent.status().commitIndex() + 500);
        h.runUntil(() -> committed.get() == 500, 10_000);
    }

    @Test
    void aFollowerRefusesProposalsWithALeaderHint() {
        AgentHarness h = cluster(DurabilityMode.QUORUM_FSYNC);
        AgentHarness.Node leader = h.awaitLeader();
        AgentHarness.Node follower = h.nodes[leader.id == 1 ? 2 : 1];
        h.runUntil(() -> follower.agent.status().leaderId() == leader.id, 10_000);
        CompletableFuture<Long> f = follower.agent.propose(16, PAYLOAD);
        follower.agent.doWork();
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
            .cause().isInstanceOfSatisfying(NotLeaderException.class,
                e -> assertThat(e.leaderHint()).isEqualTo(leader.id));
    }

    @Test
    void aProposalThatCannotCommitTimesOut() {
        AgentHarness h = cluster(DurabilityMode.QUORUM_FSYNC);
        AgentHarness.Node leader = h.awaitLeader();
        for (int id = 1; id <= 3; id++) {
            h.cut[(int) leader.id][id] = true;
        }
        List<ProposalException> failures = new ArrayList<>();
        leader.agent.propose(16, PAYLOAD, callback(new AtomicInteger(), failures));
        h.runUntil(() -> !failures.isEmpty(), 100_000);
        assertThat(failures.get(0)).isInstanceOfAny(ProposalTimeoutException.class, NotLeaderException.class);
    }

    @Test
    void leadershipTransferMovesTheLeader() throws Exception {
        AgentHarness h = cluster(DurabilityMode.QUORUM_FSYNC);
        AgentHarness.Node leader = h.awaitLeader();
        long target = leader.id == 3 ? 1 : leader.id + 1;
        CompletableFuture<TransferResult> r = leader.agent.transferLeadership(target);
        h.runUntil(() -> h.leader() != null && h.leader().id == target, 10_000);
        assertThat(r.get()).isEqualTo(TransferResult.STARTED);
        assertThat(h.nodes[(int) target].agent.status().term()).isGreaterThan(0);
    }

    private static ProposalCallback callback(AtomicInteger committed, List<ProposalException> failures) {
        return new ProposalCallback() {
            @Override
            public void onCommitted(long index, long term) {
                committed.incrementAndGet();
            }

            @Override
            public void onFailure(ProposalException cause) {
                if (failures != null) {
                    failures.add(cause);
                }
            }
        };
    }
}
