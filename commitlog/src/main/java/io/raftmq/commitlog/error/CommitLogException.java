package io.raftmq.commitlog.error;

/**
 * Base of the commit log's operating errors (disk full, corruption, truncated reads, device failures). Bugs and
 * broken invariants are {@link IllegalStateException}s instead (see {@link Verify}).
 */
public class CommitLogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommitLogException(String message) {
        super(message);
    }

    public CommitLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
