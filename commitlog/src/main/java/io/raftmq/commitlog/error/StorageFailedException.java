package io.raftmq.commitlog.error;

/**
 * A device I/O error other than a full disk. If it happened during a force, durability can no longer be
 * promised and the log is fenced: every later append, flush and durability wait fails with this exception.
 */
public final class StorageFailedException extends CommitLogException {
    private static final long serialVersionUID = 1L;

    public StorageFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
