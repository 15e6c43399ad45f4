package io.raftmq.raft.driver;

import io.raftmq.raft.core.Role;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.core.membership.MembershipChange;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.state.MemoryHardStateStore;
import io.raftmq.raft.statemachine.Snapshot;
import io.raftmq.raft.statemachine.StateMachine;
import io.raftmq.raft.transport.Transport;
import io.raftmq.raft.transport.TransportStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the driver's side of membership change: proposals through {@link RaftAgent#proposeMembership}, peers
 * dialled when a configuration names them and dropped once their removal commits, a joining node that only
 * learns, and a restart that finds its configuration in the {@link MembershipFile} without scanning the log.
 * Method: agents driven by hand on the test thread over in-memory logs, a {@link ManualClock} and an in-memory
 * transport that delivers only between peers it was told about; seeded (seed printed).
 */
class MembershipAgentTest {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipAgentTest.class);
    private static final Membership INITIAL = Membership.of(
        List.of(new Member(1, "h1:1"), new Member(2, "h2:1"), new Member(3, "h3:1")), List.of());

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final TreeMap<Long, Node> nodes = new TreeMap<>();
    private final long seed = new SplittableRandom().nextLong();
    private final SplittableRandom random = new SplittableRandom(seed);

    /** One member: its disk (log, hard state, membership file directory) survives {@link #restart}. */
    private final class Node {
        final long id;
        final MemoryRaftLog log = new MemoryRaftLog();
        final MemoryHardStateStore store = new MemoryHardStateStore();
        final List<Entry> applied = new ArrayList<>();
        final TreeSet<Long> peers = new TreeSet<>();
        RaftAgent agent;
        boolean down;

        Node(long id) {
            this.id = id;
            for (Member m : INITIAL.members()) {
                if (m.id() != id) {
                    peers.add(m.id());
                }
            }
            start();
        }

        void start() {
            SplittableRandom r = random.split();
            agent = new RaftAgent(RaftAgentConfig.defaults(id), INITIAL, new MembershipFile(dir.resolve("n" + id)),
                log, store, new ListStateMachine(this), 0, new PeerTransport(this), clock, r::nextInt);
            applied.clear();
            down = false;
        }
    }

    private final class ListStateMachine implements StateMachine {
        private final Node n;

        ListStateMachine(Node n) {
            this.n = n;
        }

        public void apply(Entry e) {
            n.applied.add(e);
        }

        public Snapshot takeSnapshot() {
            throw new UnsupportedOperationException("no snapshots here");
        }

        public void restore(Snapshot s) {
            throw new UnsupportedOperationException("no snapshots here");
        }
    }

    /** Delivers on flush, only to peers this node's transport knows (what a real transport could dial). */
    private final class PeerTransport implements Transport {
        private final Node n;
        private final List<RaftMessage> queued = new ArrayList<>();

        PeerTransport(Node n) {
            this.n = n;
        }

        public void start(InboundSink sink) {
        }

        public void send(RaftMessage m) {
            queued.add(m);
        }

        public void flush() {
            for (RaftMessage m : queued) {
                Node to = nodes.get(m.to());
                if (n.peers.contains(m.to()) && to != null && !to.down) {
                    to.agent.deliver(m);
                }
            }
            queued.clear();
        }

        @Override
        public boolean addPeer(long peerId, String hostPort) {
            assertThat(hostPort).isEqualTo("h" + peerId + ":1");
            return n.peers.add(peerId);
        }

        @Override
        public boolean removePeer(long peerId) {
            return n.peers.remove(peerId);
        }

        public TransportStats stats() {
            return new TransportStats(0, 0, 0, 0, 0, 0);
        }

        public void close() {
        }
    }

    private void runUntil(BooleanSupplier done) {
        for (int round = 0; round < 20_000; round++) {
            if (done.getAsBoolean()) {
                return;
            }
            int work = 0;
            for (Node n : nodes.values()) {
                if (!n.down) {
                    work += n.agent.doWork();
                }
            }
            if (work == 0) {
                clock.advanceMs(10);
            }
        }
        throw new AssertionError("condition not reached (seed " + seed + ")");
    }

    private Node leader() {
        for (Node n : nodes.values()) {
            if (!n.down && n.agent.status().role() == Role.LEADER) {
                return n;
            }
        }
        return null;
    }

    private long await(CompletableFuture<Long> f) throws Exception {
        runUntil(f::isDone);
        return f.get();
    }

    private static Member member(long id) {
        return new Member(id, "h" + id + ":1");
    }

    @Test
    void replaceAMemberAndRestart() throws Exception {
        LOG.info("seed {}", seed);
        for (long id = 1; id <= 3; id++) {
            nodes.put(id, new Node(id));
        }
        runUntil(() -> leader() != null);
        Node leader = leader();
        await(leader.agent.propose(Entry.TYPE_APPLICATION_MIN, new byte[] {1}));

        // A fresh node 4 starts with the group's initial configuration: it is not in it, so it only listens.
        Node four = new Node(4);
        nodes.put(4L, four);
        long added = await(leader.agent.proposeMembership(new MembershipChange.AddLearner(member(4))));
        runUntil(() -> four.agent.status().appliedIndex() >= added);
        assertThat(four.agent.status().membership().isLearner(4)).isTrue();
        assertThat(four.agent.status().role()).isEqualTo(Role.FOLLOWER);
        for (long id = 1; id <= 3; id++) {
            assertThat(nodes.get(id).peers).contains(4L);
        }
        // FollowerActivity follows the configuration: the leader reports the new learner's progress (retention).
        runUntil(() -> leader.agent.followers().stream().anyMatch(p -> p.nodeId() == 4 && p.matchIndex() >= added));

        // Two changes at once: the second is refused while the first is uncommitted.
        CompletableFuture<Long> promote = leader.agent.proposeMembership(new MembershipChange.Promote(4, 64));
        CompletableFuture<Long> again = leader.agent.proposeMembership(new MembershipChange.Remove(2));
        long promoted = await(promote);
        assertThatThrownBy(again::get).isInstanceOf(ExecutionException.class).cause()
            .isInstanceOfSatisfying(ProposalRejectedException.class, e -> assertThat(e.reason())
                .isEqualTo(ProposalRejectedException.Reason.MEMBERSHIP_CHANGE_PENDING));
        assertThat(leader.agent.status().membership().isVoter(4)).isTrue();

        // Remove the leader itself: it steps down once that commits and the others drop their link to it.
        long removed = await(leader.agent.proposeMembership(new MembershipChange.Remove(leader.id)));
        runUntil(() -> leader() != null && leader() != leader);
        Node next = leader();
        runUntil(() -> nodes.values().stream().filter(n -> n != leader)
            .allMatch(n -> n.agent.status().commitIndex() >= removed && !n.peers.contains(leader.id)));
        long after = await(next.agent.propose(Entry.TYPE_APPLICATION_MIN, new byte[] {2}));
        assertThat(after).isGreaterThan(promoted);
        assertThat(leader.agent.status().role()).isEqualTo(Role.FOLLOWER);
        runUntil(() -> next.agent.followers().size() == 2);
        assertThat(next.agent.followers()).extracting(FollowerProgress::nodeId).as("the members but itself (seed %d)",
            seed).containsExactlyInAnyOrderElementsOf(next.agent.status().membership().members().stream()
            .map(Member::id).filter(id -> id != next.id).toList());

        // Restart node 4: it recovers voters {others + 4} from its membership file and the log.
        Membership expected = next.agent.status().membership();
        four.agent.halt();
        four.down = true;
        four.log.crash();
        four.start();
        assertThat(four.agent.status().membership()).isEqualTo(expected);
        assertThat(expected.contains(leader.id)).isFalse();
        runUntil(() -> four.agent.status().appliedIndex() >= after);
        LOG.info("replaced member {} by 4: membership {} (seed {})", leader.id, expected, seed);
    }
}
