package io.raftmq.raft.sim;

import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.state.MemoryRepairStateStore;
import io.raftmq.raft.state.RepairState;

import java.util.SplittableRandom;

/**
 * Simulator fault: a node restarting after a crash finds part of its disk gone, and then starts repairing, as the
 * production driver does (docs/raft-driver.md, "Repair"). Two kinds, drawn per restart:
 * <ul>
 *   <li>the log is cut back to a random earlier index (damage found by recovery): the hard state and snapshot
 *       stay, the repair state records the old durable last index as acknowledged;
 *   <li>the whole data directory is wiped (log, hard state, snapshot) and the member is restarted as an existing
 *       member: the repair state knows nothing about what was acknowledged.
 * </ul>
 * Enabled per simulation ({@code Simulation(seed, true)}); a third of the restarts lose data, drawn from a stream
 * of its own so the seed's other faults keep their schedule. The fault never leaves more nodes with lost data than
 * the group can spare ({@code n - quorum}); more would leave no electable majority, by design. Each node's durable
 * repair state lives here and is cleared once the node's core left repair mode (after the Ready that ended it was
 * persisted).
 */
final class DataLossFault {
    /** Losses injected by every simulation of this JVM, for reports (simulations run on one thread). */
    private static long injectedTotal;
    private final boolean enabled;
    private final SplittableRandom random;
    private final MemoryRepairStateStore[] stores;
    private final int spare;
    private int losses;

    DataLossFault(long seed, int nodes, MajorityConfig voters, boolean enabled) {
        this.random = new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL);
        this.enabled = enabled;
        this.stores = new MemoryRepairStateStore[nodes + 1];
        for (int i = 1; i <= nodes; i++) {
            stores[i] = new MemoryRepairStateStore();
        }
        this.spare = nodes - (nodes / 2 + 1);
        if (enabled && voters.size() != nodes) {
            throw new IllegalArgumentException("one voter per node expected");
        }
    }

    /** Whether restarting nodes may lose data in this run. */
    boolean enabled() {
        return enabled;
    }

    /** Losses injected so far by this run. */
    int losses() {
        return losses;
    }

    /** Losses injected by every run so far. */
    static long injectedTotal() {
        return injectedTotal;
    }

    /**
     * Called by the driver as {@code n} restarts (its volatile state is already gone): may destroy part of its
     * disk. Returns the node's repair state (null when it is not repairing).
     */
    RepairState onRestart(SimNode n, boolean healed) {
        MemoryRepairStateStore store = stores[(int) n.id];
        if (enabled && !healed && store.load() == null && repairingNodes() < spare && random.nextInt(3) == 0) {
            RepairState loss = random.nextInt(3) == 0 ? wipe(n) : cut(n);
            if (loss != null) {
                store.save(loss);
                losses++;
                injectedTotal++;
            }
        }
        return store.load();
    }

    /** After the driver persisted a Ready of {@code n}: a node that left repair mode clears its durable state. */
    void afterReady(SimNode n) {
        if (stores[(int) n.id].load() != null && !n.raft.repairing()) {
            n.log.sync(); // as the agent's RepairTracker: the log the repair reached is durable before the record goes
            stores[(int) n.id].clear();
        }
    }

    private int repairingNodes() {
        int count = 0;
        for (int i = 1; i < stores.length; i++) {
            count += stores[i].load() != null ? 1 : 0;
        }
        return count;
    }

    /** Cuts the durable log back to a random index above the snapshot; null when there is nothing to cut. */
    private RepairState cut(SimNode n) {
        long last = n.log.lastIndex();
        long snap = n.stateMachine.durableSnapshot() == null ? 0 : n.stateMachine.durableSnapshot().index();
        long floor = Math.max(n.log.firstIndex() - 1, snap);
        if (last <= floor) {
            return null;
        }
        long keep = floor + random.nextLong(last - floor);
        n.log.truncateSuffix(keep + 1);
        n.log.sync();
        return new RepairState(RepairState.Reason.LOG_DAMAGED, last, keep + 1);
    }

    private RepairState wipe(SimNode n) {
        n.log.resetToSnapshot(0, 0);
        n.log.sync();
        n.hardStateStore.save(HardState.EMPTY);
        n.stateMachine = new SimStateMachine(null);
        n.lastSnapshotIndex = 0;
        return new RepairState(RepairState.Reason.STATE_MISSING, 0, -1);
    }
}
