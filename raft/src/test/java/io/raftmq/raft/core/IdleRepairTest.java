package io.raftmq.raft.core;

import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.message.HeartbeatResponse;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.state.HardState;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: an idle group repairs a member whose data directory was wiped, with no new write: the member's heartbeat
 * answers carry the end of its log, so the leader, whose progress still holds the member's old match, learns that
 * the member holds less and probes it (docs/raft-driver.md, "Repair"). Method: three {@link RaftNode}s over
 * {@link MemoryRaftLog}s, every message delivered in order after each round of one tick per node (deterministic,
 * no randomness: the jitter source returns 0 and only node 1 is ticked until it leads).
 */
class IdleRepairTest {
    private static final int HEARTBEAT_TICKS = 2;
    /** Repair needs a few heartbeat rounds (lost term, heartbeat answer, probe, rejection, re-probe). */
    private static final int REPAIR_TICKS_MAX = 10 * HEARTBEAT_TICKS;

    private final TreeMap<Long, RaftNode> nodes = new TreeMap<>();
    private final TreeMap<Long, MemoryRaftLog> logs = new TreeMap<>();
    private final Deque<RaftMessage> network = new ArrayDeque<>();

    private void start(long id, HardState hs) {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftConfig cfg = new RaftConfig(id, 10, HEARTBEAT_TICKS, 4, 1 << 20, 64, 1000, true, true);
        logs.put(id, log);
        nodes.put(id, new RaftNode(cfg, MajorityConfig.of(1, 2, 3), log, hs, 0, bound -> 0, () -> null));
    }

    /** Persists every node's Ready and delivers the messages until the network is quiet. */
    private void stabilize() {
        for (int round = 0; round < 10_000; round++) {
            for (var e : nodes.entrySet()) {
                network.addAll(SyncedDriver.persist(e.getValue(), logs.get(e.getKey())));
            }
            if (network.isEmpty()) {
                return;
            }
            while (!network.isEmpty()) {
                RaftMessage m = network.poll();
                nodes.get(m.to()).step(m);
            }
        }
        throw new AssertionError("the network never went quiet");
    }

    private RaftNode leaderWithCommittedEntries(int count) {
        for (long id = 1; id <= 3; id++) {
            start(id, HardState.EMPTY);
        }
        RaftNode leader = nodes.get(1L);
        for (int i = 0; i < 100 && leader.role() != Role.LEADER; i++) {
            leader.tick();
            stabilize();
        }
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        for (int i = 0; i < count; i++) {
            assertThat(leader.propose(Entry.TYPE_APPLICATION_MIN, new byte[] {(byte) i}))
                .isInstanceOf(ProposeResult.Accepted.class);
        }
        stabilize();
        assertThat(leader.commitIndex()).isEqualTo(leader.lastIndex());
        assertThat(leader.followerMatch(3)).isEqualTo(leader.lastIndex());
        return leader;
    }

    @Test
    void anIdleLeaderRepairsAWipedFollowerWithoutANewWrite() {
        RaftNode leader = leaderWithCommittedEntries(5);
        long leaderLast = leader.lastIndex();
        // Node 3 loses its whole directory (log and hard state) and restarts repairing, its term unknown.
        start(3, HardState.EMPTY);
        RaftNode wiped = nodes.get(3L);
        wiped.startRepairWithUnknownTerm(0);
        int ticks = 0;
        while (ticks < REPAIR_TICKS_MAX && (wiped.repairing() || wiped.lastIndex() < leaderLast)) {
            nodes.values().forEach(RaftNode::tick);
            ticks++;
            stabilize();
        }
        assertThat(leader.lastIndex()).as("no write after the wipe").isEqualTo(leaderLast);
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        assertThat(wiped.lastIndex()).as("repaired within %d ticks", REPAIR_TICKS_MAX).isEqualTo(leaderLast);
        assertThat(wiped.repairing()).isFalse();
        assertThat(leader.followerMatch(3)).isEqualTo(leaderLast);
        assertThat(logs.get(3L).entries(1, leaderLast + 1, Long.MAX_VALUE))
            .isEqualTo(logs.get(1L).entries(1, leaderLast + 1, Long.MAX_VALUE));
        System.err.println("wiped follower repaired after " + ticks + " ticks");
    }

    @Test
    void aReorderedOlderHeartbeatAnswerCostsOneEmptyAppendAndNoRepair() {
        RaftNode leader = leaderWithCommittedEntries(3);
        long match = leader.followerMatch(2);
        // An answer sent before node 2 held the entries arrives late: the leader probes, node 2 acknowledges.
        leader.step(new HeartbeatResponse(2, 1, leader.term(), 1));
        List<RaftMessage> out = SyncedDriver.persist(leader, logs.get(1L));
        assertThat(out).singleElement().matches(m -> m.to() == 2, "one append to node 2");
        network.addAll(out);
        stabilize();
        assertThat(leader.followerMatch(2)).isEqualTo(match);
        assertThat(nodes.get(2L).lastIndex()).isEqualTo(leader.lastIndex());
    }
}
