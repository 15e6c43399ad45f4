package io.raftmq.raft.state;

/** Operating error of a {@link HardStateStore}: the state could not be read, was corrupt, or could not be synced. */
public final class HardStateStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HardStateStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
