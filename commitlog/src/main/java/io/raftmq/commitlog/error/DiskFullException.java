package io.raftmq.commitlog.error;

/**
 * The device ran out of space during an append (or a segment/index creation). Nothing already written was damaged
 * and the failed batch was not appended at all; appends work again once space is freed.
 */
public final class DiskFullException extends CommitLogException {
    private static final long serialVersionUID = 1L;

    public DiskFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
