package io.raftmq.raft.state;

/** In-memory {@link HardStateStore} for tests and the simulator: every save is durable at once. */
public final class MemoryHardStateStore implements HardStateStore {
    private HardState state = HardState.EMPTY;

    @Override
    public HardState load() {
        return state;
    }

    @Override
    public void save(HardState newState) {
        state = newState;
    }
}
