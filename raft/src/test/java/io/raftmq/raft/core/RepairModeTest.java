package io.raftmq.raft.core;

import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.AppendEntriesResponse;
import io.raftmq.raft.message.Heartbeat;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.message.RequestVote;
import io.raftmq.raft.message.TimeoutNow;
import io.raftmq.raft.message.VoteResponse;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.state.RepairState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a repairing node (it lost data it may have acknowledged) never votes or campaigns, still replicates, and
 * leaves repair mode exactly when its log holds a current leader's committed prefix (an entry of the leader's term
 * at the leader's commit index) and reaches its acknowledged index; a leader whose follower lost entries it had
 * acknowledged probes it again instead of waiting forever. Method: single {@link RaftNode}s over prepared
 * {@link MemoryRaftLog}s, messages fed by hand (deterministic, no randomness: the jitter source returns 0).
 */
class RepairModeTest {
    private static final int APP = Entry.TYPE_APPLICATION_MIN;

    private static MemoryRaftLog log(long... terms) {
        MemoryRaftLog log = new MemoryRaftLog();
        for (int i = 0; i < terms.length; i++) {
            log.append(List.of(entry(terms[i], i + 1)));
        }
        log.sync();
        return log;
    }

    private static Entry entry(long term, long index) {
        return new Entry(term, index, APP, new byte[] {(byte) index});
    }

    private static RaftNode node(long id, MemoryRaftLog log, HardState hs, boolean preVote) {
        RaftConfig cfg = new RaftConfig(id, 10, 2, 4, 1 << 20, 64, 1000, false, preVote);
        return new RaftNode(cfg, MajorityConfig.of(1, 2, 3), log, hs, 0, bound -> 0, () -> null);
    }

    private static RaftNode repairing(MemoryRaftLog log, HardState saved, long ackedIndexMin) {
        HardState start = RepairState.startingHardState(saved, log.lastIndex(), log.term(log.lastIndex()));
        RaftNode n = node(2, log, start, true);
        n.startRepair(ackedIndexMin);
        return n;
    }

    @Test
    void repairingNodeGrantsNoVoteAndNoPreVote() {
        MemoryRaftLog log = log(1, 1);
        RaftNode n = repairing(log, new HardState(1, 0, 2), 2);
        n.step(new RequestVote(3, 2, 2, 5, 1, true, false));
        n.step(new RequestVote(3, 2, 2, 5, 1, false, false));
        assertThat(SyncedDriver.persist(n, log)).containsExactly(new VoteResponse(2, 3, 1, true, false),
            new VoteResponse(2, 3, 2, false, false));
        assertThat(n.hardState().votedFor()).isZero();

        MemoryRaftLog healthyLog = log(1, 1);
        RaftNode healthy = node(2, healthyLog, new HardState(1, 0, 2), true);
        healthy.step(new RequestVote(3, 2, 2, 5, 1, false, false));
        assertThat(SyncedDriver.persist(healthy, healthyLog))
            .as("the same request is granted by a node that lost nothing")
            .containsExactly(new VoteResponse(2, 3, 2, false, true));
    }

    @Test
    void repairingNodeNeverCampaignsNorAcceptsTimeoutNow() {
        MemoryRaftLog log = log(1, 1);
        RaftNode n = repairing(log, new HardState(1, 1, 2), 0);
        for (int i = 0; i < 200; i++) {
            n.tick();
        }
        n.step(new TimeoutNow(1, 2, 1));
        assertThat(n.role()).isEqualTo(Role.FOLLOWER);
        assertThat(n.term()).as("keeps its term").isEqualTo(1);
        assertThat(n.hardState().votedFor()).as("keeps its vote").isEqualTo(1);
        assertThat(SyncedDriver.persist(n, log)).isEmpty();
    }

    @Test
    void repairEndsOnceTheLogHoldsTheLeadersCommittedPrefixOfItsTerm() {
        MemoryRaftLog log = log(1, 1);
        RaftNode n = repairing(log, new HardState(1, 0, 5), 0);
        assertThat(n.commitIndex()).as("commit cut back to the log's end").isEqualTo(2);
        // Leader 1 of term 2 sends 3@1, 4@2 but has committed only up to 3 (a term-1 entry): not enough.
        n.step(new AppendEntries(1, 2, 2, 2, 1, List.of(entry(1, 3), entry(2, 4)), 3));
        assertThat(SyncedDriver.persist(n, log)).containsExactly(new AppendEntriesResponse(2, 1, 2, 4, false, 0, 0));
        assertThat(n.repairing()).as("commit index 3 is of term 1, not the leader's term").isTrue();
        n.step(new Heartbeat(1, 2, 2, 3));
        SyncedDriver.persist(n, log);
        assertThat(n.repairing()).as("a heartbeat with the same commit index neither").isTrue();
        n.step(new AppendEntries(1, 2, 2, 4, 2, List.of(), 4));
        assertThat(n.repairing()).isFalse();
        assertThat(n.hardState().votedFor()).as("records support for the leader of its term").isEqualTo(1);
        SyncedDriver.persist(n, log);
        n.step(new RequestVote(3, 2, 2, 9, 2, false, false));
        assertThat(SyncedDriver.persist(n, log)).as("no second vote in the term").containsExactly(
            new VoteResponse(2, 3, 2, false, false));
        n.step(new RequestVote(3, 2, 3, 9, 2, false, false));
        assertThat(SyncedDriver.persist(n, log)).as("votes again in a later term").containsExactly(
            new VoteResponse(2, 3, 3, false, true));
    }

    @Test
    void repairWaitsForTheAcknowledgedIndexAndForAMatchingLog() {
        MemoryRaftLog log = log(1, 1, 1);
        RaftNode n = repairing(log, new HardState(2, 0, 1), 6);
        // A leader of term 3 whose log differs at index 3 (3@2): the append is rejected, no repair.
        n.step(new AppendEntries(1, 2, 3, 3, 2, List.of(entry(3, 4)), 4));
        assertThat(SyncedDriver.persist(n, log)).singleElement().matches(m -> ((AppendEntriesResponse) m).reject());
        assertThat(n.repairing()).isTrue();
        n.step(new AppendEntries(1, 2, 3, 2, 1, List.of(entry(2, 3), entry(3, 4)), 4));
        SyncedDriver.persist(n, log);
        assertThat(n.commitIndex()).isEqualTo(4);
        assertThat(n.repairing()).as("index 6 was acknowledged before the loss").isTrue();
        n.step(new AppendEntries(1, 2, 3, 4, 3, List.of(entry(3, 5), entry(3, 6)), 4));
        SyncedDriver.persist(n, log);
        assertThat(n.repairing()).isFalse();
    }

    @Test
    void aHeartbeatCappedBelowTheLeadersCommitDoesNotEndRepair() {
        // The node lost data; the leader of term 2 committed up to 5 (with the node's ack before its loss), and its
        // heartbeat caps the commit index at 3, what the node acknowledged since: the node may lack 4 and 5.
        MemoryRaftLog log = log(1, 2, 2);
        RaftNode n = repairing(log, new HardState(2, 0, 3), 0);
        n.step(new Heartbeat(1, 2, 2, 3, 5));
        SyncedDriver.persist(n, log);
        assertThat(n.repairing()).as("commit index 3 is capped below the leader's 5").isTrue();
        n.step(new Heartbeat(1, 2, 2, 3, 3));
        SyncedDriver.persist(n, log);
        assertThat(n.repairing()).as("the leader's own commit index is 3").isFalse();
    }

    @Test
    void aHeartbeatOfAnIdleLeaderEndsRepairToo() {
        MemoryRaftLog log = log(1, 1, 2);
        RaftNode n = repairing(log, new HardState(2, 0, 3), 3);
        n.step(new Heartbeat(1, 2, 2, 2));
        SyncedDriver.persist(n, log);
        assertThat(n.repairing()).as("index 2 is of term 1").isTrue();
        n.step(new Heartbeat(1, 2, 2, 3));
        SyncedDriver.persist(n, log);
        assertThat(n.repairing()).isFalse();
        assertThat(n.hardState().votedFor()).isEqualTo(1);
    }

    @Test
    void aNodeThatLostItsTermHearsFromEveryVoterBeforeActing() {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode n = node(2, log, HardState.EMPTY, true);
        n.startRepairWithUnknownTerm(0);
        assertThat(SyncedDriver.persist(n, log)).as("probes every other voter at once").containsExactly(
            new RequestVote(2, 1, 0, 0, 0, true, false), new RequestVote(2, 3, 0, 0, 0, true, false));
        // A stale leader of term 2 reaches it first: dropped, not acknowledged.
        n.step(new AppendEntries(1, 2, 2, 0, 0, List.of(entry(2, 1)), 1));
        assertThat(SyncedDriver.persist(n, log)).isEmpty();
        assertThat(n.lastIndex()).isZero();
        // Voter 3 answers with term 5 (it voted in a later term): now the node knows its term.
        n.step(new VoteResponse(3, 2, 5, true, false));
        assertThat(n.term()).isEqualTo(5);
        n.step(new AppendEntries(1, 2, 2, 0, 0, List.of(entry(2, 1)), 1));
        assertThat(SyncedDriver.persist(n, log)).as("the stale leader is told the newer term").singleElement()
            .matches(m -> m instanceof AppendEntriesResponse r && r.term() == 5);
        assertThat(n.lastIndex()).isZero();
        assertThat(n.repairing()).isTrue();
    }

    @Test
    void heartbeatCommitPastTheShortenedLogIsCappedWhileRepairing() {
        MemoryRaftLog log = log(1, 1);
        RaftNode n = repairing(log, new HardState(1, 1, 2), 9);
        n.step(new Heartbeat(1, 2, 1, 9));
        SyncedDriver.persist(n, log);
        assertThat(n.commitIndex()).isEqualTo(2);
    }

    @Test
    void leaderProbesAFollowerThatLostAcknowledgedEntries() {
        MemoryRaftLog log = log(1, 1, 1, 1);
        RaftNode leader = node(1, log, new HardState(1, 0, 0), false);
        for (int i = 0; i < 40 && leader.role() != Role.CANDIDATE; i++) {
            leader.tick();
        }
        SyncedDriver.persist(leader, log);
        leader.step(new VoteResponse(2, 1, leader.term(), false, true));
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        SyncedDriver.persist(leader, log);
        long term = leader.term();
        leader.step(new AppendEntriesResponse(2, 1, term, 5, false, 0, 0));
        SyncedDriver.persist(leader, log);
        // Follower 2 lost everything after index 1 and restarted: it rejects the next append at 5.
        leader.step(new AppendEntriesResponse(2, 1, term, 5, true, 1, 1));
        List<RaftMessage> out = SyncedDriver.persist(leader, log);
        assertThat(out).filteredOn(m -> m instanceof AppendEntries a && a.to() == 2).singleElement()
            .matches(m -> ((AppendEntries) m).prevLogIndex() == 1, "probes from the follower's reported end");
        leader.step(new AppendEntriesResponse(2, 1, term, 5, false, 0, 0));
        assertThat(leader.commitIndex()).as("acknowledged again: commits").isEqualTo(5);
    }
}
