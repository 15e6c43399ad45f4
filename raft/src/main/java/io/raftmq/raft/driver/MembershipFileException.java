package io.raftmq.raft.driver;

/** Operating error of the {@link MembershipFile}: it could not be read, written or synced, or it is corrupt. */
public final class MembershipFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MembershipFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
