package io.raftmq.commitlog.error;

/** The requested index or position lies before the first one still retained (deleted by retention/reset). */
public final class LogTruncatedException extends CommitLogException {
    private static final long serialVersionUID = 1L;

    public LogTruncatedException(String message) {
        super(message);
    }
}
