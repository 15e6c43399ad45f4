package io.raftmq.raft.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.raft.log.Entry;
import io.raftmq.raft.statemachine.Snapshot;
import io.raftmq.raft.statemachine.SnapshotStore;
import io.raftmq.raft.statemachine.StateMachine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Goal: a state machine that cannot give the image of its applied entry now ({@link StateMachine#canSnapshot}
 * false: a restarted broker replaying below what it had already dispatched) is not asked for one: the agent takes
 * no snapshot at its interval and sends a follower none, and takes it once the state machine can, the interval or
 * the request still holding. Method: {@link AgentSnapshots} over a state machine whose answer the test sets, a
 * store that collects what it is offered; no threads, no randomness.
 */
class AgentSnapshotsTest {
    private static final long INTERVAL = 10;

    /** Applied index and the answer to canSnapshot, set by the test; takeSnapshot counts its calls. */
    private static final class Machine implements StateMachine {
        long applied;
        boolean can = true;
        int taken;

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

    private static final class Store implements SnapshotStore {
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

    private static AgentSnapshots snapshots(Machine m, Store store) {
        AgentSnapshots s = new AgentSnapshots(1, m, index -> new byte[0], () -> 0L, INTERVAL, 0,
            LoggerFactory.getLogger(AgentSnapshotsTest.class));
        if (store != null) {
            s.useStore(store);
        }
        return s;
    }

    @Test
    void theIntervalWaitsWhileTheStateMachineCannotSnapshot() {
        Machine m = new Machine();
        Store store = new Store();
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

    @Test
    void aRequestStaysPendingWhileTheStateMachineCannotSnapshot() {
        Machine m = new Machine();
        Store store = new Store();
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

    @Test
    void withoutAStoreALeaderSendsNoSnapshotWhileTheStateMachineCannot() {
        Machine m = new Machine();
        AgentSnapshots s = snapshots(m, null);
        m.applied = 7;
        m.can = false;
        assertThat(s.toSend()).isNull();
        m.can = true;
        assertThat(s.toSend().index()).isEqualTo(7);
        assertThat(m.taken).isEqualTo(1);
    }
}
