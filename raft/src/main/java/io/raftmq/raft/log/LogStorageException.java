package io.raftmq.raft.log;

/**
 * Operating error raised by a {@link RaftLog} implementation when its storage fails (I/O error, disk full).
 * The driver treats it as fatal for the node: it stops the node rather than continue with an unknown log.
 */
public final class LogStorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LogStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
