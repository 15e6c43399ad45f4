package io.raftmq.raft.state;

/**
 * Port: durable storage of a member's {@link RepairState}. The state exists exactly while the member is repairing:
 * it is saved before the data loss is acted on (before a damaged log is cut back) and cleared once the member has
 * caught up again; a crash in between leaves it repairing.
 *
 * <p>Threading: one thread at a time (startup, then the raft agent). Errors: {@link HardStateStoreException} when
 * the state cannot be made durable or removed durably.
 */
public interface RepairStateStore {
    /**
     * A store that keeps nothing: a member using it is never repairing at start, and a loss it detects itself puts
     * it into repair mode for this run only.
     */
    RepairStateStore NONE = new RepairStateStore() {
        @Override
        public RepairState load() {
            return null;
        }

        @Override
        public void save(RepairState state) {
        }

        @Override
        public void clear() {
        }
    };

    /** The saved state, or null when the member is not repairing. */
    RepairState load();

    /** Replaces the saved state; durable on return. */
    void save(RepairState state);

    /** Removes the saved state (the member caught up); durable on return, a no-op when there is none. */
    void clear();
}
