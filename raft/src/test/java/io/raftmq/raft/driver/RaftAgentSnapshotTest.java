package io.raftmq.raft.driver;

import io.raftmq.raft.core.Role;
import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.state.MemoryHardStateStore;
import io.raftmq.raft.statemachine.Snapshot;
import io.raftmq.raft.statemachine.SnapshotStore;
import io.raftmq.raft.statemachine.StateMachine;
import io.raftmq.raft.transport.Transport;
import io.raftmq.raft.transport.TransportStats;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: with a {@link SnapshotStore} the agent takes a snapshot every {@code snapshotIntervalEntries} applied
 * entries (checked after each apply slice) or when asked, offers it with the membership hook's bytes, never takes one
 * without a store, and the store can only be set before the agent starts; none while the state machine cannot
 * give one ({@link StateMachine#canSnapshot}), the interval or the request then waiting. A single-member group
 * driven by hand on a manual clock, and {@link AgentSnapshots} alone (deterministic, no threads).
 */
class RaftAgentSnapshotTest {
    private static final int INTERVAL = 10;

    /**
     * Counts applied entries; its snapshot data is the applied count as one byte. {@code can} is its answer to
     * {@link StateMachine#canSnapshot} (set by the test).
     */
    private static final class Counter implements StateMachine {
        long applied;
        long taken;
        boolean can = true;

        @Override
        public void apply(Entry entry) {
            applied = entry.index();
        }

        @Override
        public Snapshot takeSnapshot() {
            assertThat(can).as("takeSnapshot called while the state machine cannot give one").isTrue();
            taken++;
            return new Snapshot(applied, 1, new byte[] {(byte) applied});
        }

        @Override
        public boolean canSnapshot() {
            return can;
        }

        @Override
        public void restore(Snapshot snapshot) {
            applied = snapshot.index();
        }
    }

    /** Keeps what it was offered. */
    private static final class Offers implements SnapshotStore {
        final List<Snapshot> offered = new ArrayList<>();

        @Override
        public void offer(Snapshot snapshot) {
            offered.add(snapshot);
        }

        @Override
        public Snapshot latest() {
            return offered.isEmpty() ? null : offered.get(offered.size() - 1);
        }
    }

    private static final class NoTransport implements Transport {
        @Override
        public void start(InboundSink sink) {
        }

        @Override
        public void send(RaftMessage message) {
        }

        @Override
        public void flush() {
        }

        @Override
        public TransportStats stats() {
            return null;
        }

        @Override
        public void close() {
        }
    }

    private static RaftAgent agent(ManualClock clock, Counter sm, long applied, MemoryRaftLog log) {
        RaftAgentConfig c = RaftAgentConfig.defaults(1).withSnapshotIntervalEntries(INTERVAL);
        return new RaftAgent(c, MajorityConfig.of(new long[] {1}), log, new MemoryHardStateStore(), sm, applied,
            new NoTransport(), clock, bound -> 0);
    }

    private static void run(RaftAgent a, ManualClock clock, BooleanSupplier done) {
        for (int i = 0; i < 100_000 && !done.getAsBoolean(); i++) {
            if (a.doWork() == 0) {
                clock.advanceMs(10);
            }
        }
        assertThat(done.getAsBoolean()).as("condition reached").isTrue();
    }

    @Test
    void takesASnapshotEveryIntervalAndOffersIt() {
        ManualClock clock = new ManualClock(1_000_000_000L);
        Counter sm = new Counter();
        RaftAgent a = agent(clock, sm, 0, new MemoryRaftLog());
        Offers store = new Offers();
        a.setSnapshotStore(store);
        run(a, clock, () -> a.status().role() == Role.LEADER);
        for (int i = 0; i < 35; i++) { // one at a time: every entry is its own apply slice
            a.propose(Entry.TYPE_APPLICATION_MIN, new byte[] {1});
            long want = i + 2; // after the term's no-op
            run(a, clock, () -> sm.applied >= want);
        }
        assertThat(store.offered).extracting(Snapshot::index).containsExactly(10L, 20L, 30L);
        a.propose(Entry.TYPE_APPLICATION_MIN, new byte[] {1});
        for (int i = 0; i < 14; i++) {
            a.propose(Entry.TYPE_APPLICATION_MIN, new byte[] {1});
        }
        run(a, clock, () -> sm.applied >= 51);
        assertThat(store.offered).extracting(Snapshot::index).as("a batch applied at once: one snapshot after it")
            .containsExactly(10L, 20L, 30L, 51L);
        assertThat(store.offered).as("each carries the membership as of its index")
            .allSatisfy(s -> assertThat(s.membership()).isNotEmpty().isEqualTo(a.membershipAt(s.index())));
        assertThat(a.snapshotsTaken()).isEqualTo(4);
        assertThat(sm.taken).isEqualTo(4);
        a.requestSnapshot();
        a.doWork();
        assertThat(store.offered).as("nothing applied since the last one").hasSize(4);
        a.propose(Entry.TYPE_APPLICATION_MIN, new byte[] {1});
        run(a, clock, () -> sm.applied >= 52);
        a.requestSnapshot();
        a.doWork();
        assertThat(store.offered).extracting(Snapshot::index).as("asked for").endsWith(51L, 52L);
        a.halt();
    }

    @Test
    void withoutAStoreNothingIsTakenAndTheStoreIsSetBeforeStart() {
        ManualClock clock = new ManualClock(1_000_000_000L);
        Counter sm = new Counter();
        RaftAgent a = agent(clock, sm, 0, new MemoryRaftLog());
        run(a, clock, () -> a.status().role() == Role.LEADER);
        for (int i = 0; i < 25; i++) {
            a.propose(Entry.TYPE_APPLICATION_MIN, new byte[] {1});
        }
        run(a, clock, () -> sm.applied >= 26);
        assertThat(sm.taken).isZero();
        a.start();
        assertThatThrownBy(() -> a.setSnapshotStore(new Offers())).isInstanceOf(IllegalStateException.class);
        a.halt(); // (a graceful close would wait for a transfer deadline on a clock that does not move)
        assertThatThrownBy(() -> RaftAgentConfig.defaults(1).withSnapshotIntervalEntries(0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("snapshotIntervalEntries");
    }

    private static AgentSnapshots snapshots(Counter m, Offers store) {
        AgentSnapshots s = new AgentSnapshots(1, m, index -> new byte[0], () -> 0L, INTERVAL, 0,
            LoggerFactory.getLogger(RaftAgentSnapshotTest.class));
        if (store != null) {
            s.useStore(store);
        }
        return s;
    }

    /**
     * A state machine that cannot give the image of its applied entry now ({@link StateMachine#canSnapshot} false:
     * a restarted broker replaying below what it had already dispatched) is not asked for one at its interval; it
     * is once it can. {@link AgentSnapshots} alone, driven by hand.
     */
    @Test
    void theIntervalWaitsWhileTheStateMachineCannotSnapshot() {
        Counter m = new Counter();
        Offers store = new Offers();
        AgentSnapshots s = snapshots(m, store);
        m.can = false;
        m.applied = 12;
        s.maybeTake(12);
        assertThat(store.offered).as("no snapshot while the state machine cannot give one").isEmpty();
        m.applied = 13;
        s.maybeTake(13);
        assertThat(store.offered).isEmpty();
        m.can = true;
        m.applied = 14;
        s.maybeTake(14);
        assertThat(store.offered).extracting(Snapshot::index).containsExactly(14L);
        assertThat(s.taken()).isEqualTo(1);
    }

    /** A request for a snapshot stays pending while the state machine cannot give one. */
    @Test
    void aRequestStaysPendingWhileTheStateMachineCannotSnapshot() {
        Counter m = new Counter();
        Offers store = new Offers();
        AgentSnapshots s = snapshots(m, store);
        m.can = false;
        m.applied = 3;
        s.request();
        s.maybeTake(3);
        assertThat(store.offered).isEmpty();
        m.can = true;
        m.applied = 4;
        s.maybeTake(4);
        assertThat(store.offered).as("the request was kept for when the state machine could")
            .extracting(Snapshot::index).containsExactly(4L);
        m.applied = 5;
        s.maybeTake(5);
        assertThat(store.offered).as("the request was used up").hasSize(1);
    }

    /** Without a store a leader sends a follower the state machine's snapshot, none while it cannot give one. */
    @Test
    void withoutAStoreALeaderSendsNoSnapshotWhileTheStateMachineCannot() {
        Counter m = new Counter();
        AgentSnapshots s = snapshots(m, null);
        m.applied = 7;
        m.can = false;
        assertThat(s.toSend()).isNull();
        m.can = true;
        assertThat(s.toSend().index()).isEqualTo(7);
        assertThat(m.taken).isEqualTo(1);
    }
}
