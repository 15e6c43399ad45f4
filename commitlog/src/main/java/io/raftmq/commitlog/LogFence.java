package io.raftmq.commitlog;

import io.raftmq.commitlog.error.CommitLogException;
import io.raftmq.commitlog.error.DiskFullException;
import io.raftmq.commitlog.error.StorageFailedException;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.flush.GroupCommit;
import io.raftmq.commitlog.io.NoSpaceException;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the log may still be used, and the typed errors that say why not: it is closed, or fenced because a force,
 * a truncation or the flush agent failed (then durability can no longer be promised and the failure, kept by
 * {@link GroupCommit}, is thrown to every later append, flush and waiter). Also turns device errors into the typed
 * operating errors ({@link DiskFullException} for a full disk, else {@link StorageFailedException}).
 *
 * <p>Thread-safety: reads from any thread; {@link #fence} and {@link #markClosed()} by the holder of the force lock.
 */
final class LogFence {
    private static final Logger LOG = LoggerFactory.getLogger(LogFence.class);
    private final Path directory;
    private final GroupCommit groupCommit;
    private volatile boolean closed;

    LogFence(Path directory, GroupCommit groupCommit) {
        this.directory = directory;
        this.groupCommit = groupCommit;
    }

    /**
     * @throws IllegalStateException the log is closed
     * @throws CommitLogException    the failure that fenced the log
     */
    void ensureUsable() {
        Verify.state(!closed, "commit log closed");
        CommitLogException f = groupCommit.failure();
        if (f != null) {
            throw f;
        }
    }

    /** Neither closed nor fenced. Any thread. */
    boolean usable() {
        return !closed && groupCommit.failure() == null;
    }

    boolean isClosed() {
        return closed;
    }

    /** The failure that fenced the log, or null. */
    CommitLogException failure() {
        return groupCommit.failure();
    }

    /**
     * Close: from now on every use is an IllegalStateException and every waiter fails with the returned failure
     * (unless an earlier one fenced the log). Caller holds both locks.
     */
    CommitLogException markClosed() {
        closed = true;
        StorageFailedException f = new StorageFailedException("commit log closed", null);
        groupCommit.fail(f);
        return f;
    }

    /** A failed force or truncation: durability can no longer be promised. Returns the failure to throw. */
    CommitLogException fence(String what, IOException e) {
        CommitLogException f = new StorageFailedException(what + " failed; commit log fenced: " + e.getMessage(),
            e);
        LOG.error("commit log {} fenced", directory, e);
        groupCommit.fail(f);
        return f;
    }

    /** The typed operating error for a device error of {@code what}; the log stays usable. */
    static CommitLogException ioError(String what, IOException e) {
        if (e instanceof NoSpaceException) {
            return new DiskFullException(what + ": " + e.getMessage(), e);
        }
        return new StorageFailedException(what + ": " + e.getMessage(), e);
    }
}
