package io.raftmq.raft.sim;

import io.raftmq.raft.log.Entry;
import io.raftmq.raft.statemachine.Snapshot;
import io.raftmq.raft.statemachine.StateMachine;

import java.nio.ByteBuffer;

/**
 * The simulated application: folds every applied entry into a running hash, so two replicas in the same state
 * have the same (index, hash). Its snapshot is that pair; the last snapshot taken or installed is its durable
 * state, which is what survives a crash.
 */
final class SimStateMachine implements StateMachine {
    private long appliedIndex;
    private long appliedTerm;
    private long hash;
    private Snapshot durable;

    SimStateMachine(Snapshot durable) {
        this.durable = durable;
        if (durable != null) {
            restoreState(durable);
        }
    }

    static long fold(long hash, Entry e) {
        long h = hash * 0x9E3779B97F4A7C15L + e.index();
        h = h * 31 + e.term();
        h = h * 31 + e.type();
        return h * 31 + java.util.Arrays.hashCode(e.payload());
    }

    @Override
    public void apply(Entry entry) {
        hash = fold(hash, entry);
        appliedIndex = entry.index();
        appliedTerm = entry.term();
    }

    @Override
    public Snapshot takeSnapshot() {
        return takeSnapshot(new byte[0]);
    }

    /** A snapshot carrying {@code membership}, the configuration in effect at the applied index. */
    Snapshot takeSnapshot(byte[] membership) {
        byte[] data = ByteBuffer.allocate(8).putLong(hash).array();
        durable = new Snapshot(appliedIndex, appliedTerm, membership, data);
        return durable;
    }

    @Override
    public void restore(Snapshot snapshot) {
        restoreState(snapshot);
        durable = snapshot;
    }

    private void restoreState(Snapshot s) {
        appliedIndex = s.index();
        appliedTerm = s.term();
        hash = ByteBuffer.wrap(s.data()).getLong();
    }

    static long hashOf(Snapshot s) {
        return ByteBuffer.wrap(s.data()).getLong();
    }

    long appliedIndex() {
        return appliedIndex;
    }

    long hash() {
        return hash;
    }

    Snapshot durableSnapshot() {
        return durable;
    }
}
