package io.raftmq.raft.state;

/** In-memory {@link RepairStateStore} for tests and the simulator: every save and clear is durable at once. */
public final class MemoryRepairStateStore implements RepairStateStore {
    private RepairState state;

    @Override
    public RepairState load() {
        return state;
    }

    @Override
    public void save(RepairState newState) {
        state = newState;
    }

    @Override
    public void clear() {
        state = null;
    }
}
