package io.raftmq.raft.core;

import io.raftmq.raft.core.membership.ConfigHistory;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.core.membership.MembershipChange;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.message.InstallSnapshot;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.message.RequestVote;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.statemachine.Snapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the single-server membership change rules of the core, each shown directly (the simulator finds their
 * violations only by luck). Method: a few {@link RaftNode}s over {@link MemoryRaftLog}s with a hand-driven,
 * in-order network; randomness is 0, so timeouts are exact.
 */
class MembershipChangeTest {
    private static final int APP = Entry.TYPE_APPLICATION_MIN;
    private static final Membership INITIAL = Membership.ofVoters(1, 2, 3);

    /** A hand-driven cluster: nodes, their logs, the messages in flight and the isolated nodes. */
    private static final class Cluster {
        final Map<Long, RaftNode> nodes = new TreeMap<>();
        final Map<Long, MemoryRaftLog> logs = new TreeMap<>();
        final List<RaftMessage> network = new ArrayList<>();
        final Set<Long> isolated = new HashSet<>();
        final List<RaftMessage> sent = new ArrayList<>();
        java.util.function.Predicate<RaftMessage> drop = m -> false;

        Cluster(long... ids) {
            for (long id : ids) {
                add(id);
            }
        }

        RaftNode add(long id) {
            RaftConfig config = new RaftConfig(id, 10, 2, 4, 1 << 20, 64, 1000, true, true);
            MemoryRaftLog log = new MemoryRaftLog();
            RaftNode n = new RaftNode(config, ConfigHistory.initial(INITIAL), log, HardState.EMPTY, 0, b -> 0,
                () -> null);
            nodes.put(id, n);
            logs.put(id, log);
            return n;
        }

        RaftNode node(long id) {
            return nodes.get(id);
        }

        void tick(long id, int times) {
            for (int i = 0; i < times; i++) {
                node(id).tick();
            }
        }

        /** Processes every node's Readies and delivers messages until nothing moves. */
        void stabilize() {
            for (int round = 0; round < 1000; round++) {
                boolean moved = false;
                for (Map.Entry<Long, RaftNode> e : nodes.entrySet()) {
                    moved |= persist(e.getKey(), e.getValue());
                }
                List<RaftMessage> batch = new ArrayList<>(network);
                network.clear();
                for (RaftMessage m : batch) {
                    RaftNode to = nodes.get(m.to());
                    if (to != null && !isolated.contains(m.to()) && !isolated.contains(m.from()) && !drop.test(m)) {
                        to.step(m);
                        moved = true;
                    }
                }
                if (!moved) {
                    return;
                }
            }
            throw new AssertionError("cluster did not stabilize");
        }

        private boolean persist(long id, RaftNode n) {
            if (!n.hasReady()) {
                return false;
            }
            Ready r = n.ready();
            MemoryRaftLog log = logs.get(id);
            if (r.snapshot() != null) {
                log.resetToSnapshot(r.snapshot().index(), r.snapshot().term());
            }
            log.write(r.entries());
            log.sync();
            network.addAll(r.earlyMessages());
            network.addAll(r.messages());
            sent.addAll(r.earlyMessages());
            sent.addAll(r.messages());
            n.advance(r);
            if (!r.entries().isEmpty()) {
                Entry last = r.entries().get(r.entries().size() - 1);
                n.persisted(last.index(), last.term());
            }
            return true;
        }

        /** Elects {@code id} (it times out first) and commits its no-op. */
        /** Lets {@code voter}'s leader lease run out (it tries a pre-vote the others refuse). */
        void expireLease(long voter) {
            tick(voter, 10);
            stabilize();
        }

        void elect(long id) {
            tick(id, 20);
            stabilize();
            assertThat(node(id).role()).isEqualTo(Role.LEADER);
        }

        long propose(long id) {
            ProposeResult r = node(id).propose(APP, new byte[] {1});
            assertThat(r).isInstanceOf(ProposeResult.Accepted.class);
            stabilize();
            return ((ProposeResult.Accepted) r).index();
        }

        ProposeResult change(long leader, MembershipChange c) {
            ProposeResult r = node(leader).proposeMembership(c);
            stabilize();
            return r;
        }
    }

    private static MembershipChange addLearner(long id) {
        return new MembershipChange.AddLearner(new Member(id, "127.0.0." + id + ":7000"));
    }

    @Test
    void learnerReceivesTheLogButNeverCountsNorCampaigns() {
        Cluster c = new Cluster(1, 2, 3);
        c.elect(1);
        c.add(4);
        assertThat(c.change(1, addLearner(4))).isInstanceOf(ProposeResult.Accepted.class);
        long idx = c.propose(1);
        assertThat(c.node(4).commitIndex()).isEqualTo(idx);
        assertThat(c.node(4).membership().isLearner(4)).isTrue();

        // Voters 2 and 3 cut off: leader + learner are not a quorum of {1,2,3}.
        c.isolated.add(2L);
        c.isolated.add(3L);
        ProposeResult.Accepted a = (ProposeResult.Accepted) c.node(1).propose(APP, new byte[] {2});
        c.stabilize();
        assertThat(c.logs.get(4L).lastIndex()).isEqualTo(a.index());
        assertThat(c.node(1).commitIndex()).isLessThan(a.index());

        // The learner never campaigns, however long it hears nothing.
        c.sent.clear();
        c.isolated.add(1L);
        c.tick(4, 200);
        c.stabilize();
        assertThat(c.node(4).role()).isEqualTo(Role.FOLLOWER);
        assertThat(c.sent).noneMatch(m -> m instanceof RequestVote);
    }

    @Test
    void oneChangeAtATimeTakingEffectOnAppend() {
        Cluster c = new Cluster(1, 2, 3);
        c.elect(1);
        c.add(4);
        c.add(5);
        c.isolated.add(2L);
        c.isolated.add(3L);
        assertThat(c.change(1, addLearner(4))).isInstanceOf(ProposeResult.Accepted.class);
        assertThat(c.node(1).membership().isLearner(4)).isTrue(); // in effect once appended, not yet committed
        assertThat(c.logs.get(4L).lastIndex()).isEqualTo(c.node(1).lastIndex()); // and replicated to the learner
        assertThat(c.change(1, addLearner(5))).isEqualTo(
            new ProposeResult.Rejected(ProposeResult.Reason.MEMBERSHIP_CHANGE_PENDING));
        c.isolated.clear();
        c.tick(1, 2);
        c.stabilize();
        assertThat(c.node(2).membership().isLearner(4)).isTrue();
        assertThat(c.change(1, addLearner(5))).isInstanceOf(ProposeResult.Accepted.class);
        assertThat(c.change(1, addLearner(5))).isEqualTo(
            new ProposeResult.Rejected(ProposeResult.Reason.INVALID_MEMBERSHIP_CHANGE));
    }

    @Test
    void aNewLeaderProposesAChangeOnlyAfterAnEntryOfItsTermCommitted() {
        Cluster c = new Cluster(1, 2, 3);
        c.elect(1);
        c.isolated.add(1L);
        c.drop = m -> m instanceof io.raftmq.raft.message.AppendEntriesResponse && m.to() == 2;
        c.expireLease(3);
        c.tick(2, 30);
        c.stabilize();
        assertThat(c.node(2).role()).isEqualTo(Role.LEADER);
        assertThat(c.node(2).proposeMembership(new MembershipChange.Remove(1))).isEqualTo(
            new ProposeResult.Rejected(ProposeResult.Reason.TERM_NOT_COMMITTED));
        c.drop = m -> false;
        c.tick(2, 2); // heartbeat: 3 answers, 2 resends the no-op
        c.stabilize();
        assertThat(c.change(2, new MembershipChange.Remove(1))).isInstanceOf(ProposeResult.Accepted.class);
    }

    @Test
    void promotionWaitsForTheLearnerToCatchUpAndThenCountsIt() {
        Cluster c = new Cluster(1, 2, 3);
        c.elect(1);
        c.add(4);
        c.change(1, addLearner(4));
        c.isolated.add(4L);
        for (int i = 0; i < 5; i++) {
            c.propose(1);
        }
        assertThat(c.change(1, new MembershipChange.Promote(4, 2))).isEqualTo(
            new ProposeResult.Rejected(ProposeResult.Reason.LEARNER_BEHIND));
        c.isolated.clear();
        c.tick(1, 2);
        c.stabilize();
        assertThat(c.change(1, new MembershipChange.Promote(4, 2))).isInstanceOf(ProposeResult.Accepted.class);
        assertThat(c.node(3).membership().isVoter(4)).isTrue();
        // Four voters: the leader and one other are no longer a quorum.
        c.isolated.add(3L);
        c.isolated.add(4L);
        ProposeResult.Accepted a = (ProposeResult.Accepted) c.node(1).propose(APP, new byte[] {3});
        c.stabilize();
        assertThat(c.node(1).commitIndex()).isLessThan(a.index());
        c.isolated.remove(4L);
        c.tick(1, 2);
        c.stabilize();
        assertThat(c.node(1).commitIndex()).isEqualTo(a.index());
        assertThat(c.node(1).transferLeadership(99)).isEqualTo(TransferResult.UNKNOWN_TARGET);
    }

    @Test
    void transferToALearnerIsRefused() {
        Cluster c = new Cluster(1, 2, 3);
        c.elect(1);
        c.add(4);
        c.change(1, addLearner(4));
        assertThat(c.node(1).transferLeadership(4)).isEqualTo(TransferResult.UNKNOWN_TARGET);
    }

    @Test
    void aLeaderThatRemovesItselfStepsDownOnceCommittedAndNeverCampaigns() {
        Cluster c = new Cluster(1, 2, 3);
        c.elect(1);
        c.add(4);
        c.change(1, addLearner(4));
        c.change(1, new MembershipChange.Promote(4, 0));
        ProposeResult r = c.change(1, new MembershipChange.Remove(1));
        assertThat(r).isInstanceOf(ProposeResult.Accepted.class);
        long removal = ((ProposeResult.Accepted) r).index();
        // Committed by {2,3,4} without counting the leader; the leader still led until then.
        assertThat(c.node(2).commitIndex()).isGreaterThanOrEqualTo(removal - 1);
        c.tick(1, 1);
        c.stabilize();
        assertThat(c.node(1).role()).isEqualTo(Role.FOLLOWER);
        // It handed leadership to a caught-up voter (TimeoutNow): a leader without waiting for a timeout.
        long leaders = c.nodes.values().stream().filter(n -> n.role() == Role.LEADER).count();
        assertThat(leaders).isEqualTo(1);
        assertThat(c.node(1).membership().contains(1)).isFalse();
        long leader = c.nodes.values().stream().filter(n -> n.role() == Role.LEADER).findFirst().orElseThrow().id();
        long idx = c.propose(leader);
        assertThat(c.node(leader).commitIndex()).isEqualTo(idx);
        // The removed node hears nothing any more, yet never campaigns.
        c.sent.clear();
        c.tick(1, 300);
        c.stabilize();
        assertThat(c.sent).noneMatch(m -> m.from() == 1 && m instanceof RequestVote);
    }

    @Test
    void aTruncatedConfigEntryRevertsTheConfiguration() {
        Cluster c = new Cluster(1, 2, 3);
        c.elect(1);
        c.add(4);
        c.isolated.add(2L);
        c.isolated.add(3L);
        c.isolated.add(4L);
        c.change(1, addLearner(4));
        assertThat(c.node(1).membership().isLearner(4)).isTrue();
        c.isolated.clear();
        c.isolated.add(1L);
        c.expireLease(3);
        c.tick(2, 30);
        c.stabilize();
        assertThat(c.node(2).role()).isEqualTo(Role.LEADER);
        c.propose(2);
        c.isolated.clear();
        c.tick(2, 2);
        c.stabilize();
        assertThat(c.node(1).role()).isEqualTo(Role.FOLLOWER);
        assertThat(c.node(1).membership()).isEqualTo(INITIAL);
        assertThat(c.node(1).membershipIndex()).isZero();
    }

    @Test
    void anInstalledSnapshotBringsItsMembership() {
        Cluster c = new Cluster(2);
        Membership m = INITIAL.apply(addLearner(4)).apply(new MembershipChange.Promote(4, 0));
        c.node(2).step(new InstallSnapshot(1, 2, 3, 50, 3, m.encode(), new byte[] {9}));
        assertThat(c.node(2).membership()).isEqualTo(m);
        assertThat(c.node(2).membershipIndex()).isEqualTo(50);
        c.stabilize();
        assertThat(c.logs.get(2L).firstIndex()).isEqualTo(51);
        assertThat(c.node(2).membershipAt(50)).isEqualTo(m);
        // An empty membership is the initial configuration.
        Cluster d = new Cluster(2);
        d.node(2).step(new InstallSnapshot(1, 2, 3, 50, 3, new Snapshot(50, 3, new byte[0]).data()));
        assertThat(d.node(2).membership()).isEqualTo(INITIAL);
    }
}
