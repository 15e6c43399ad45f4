package io.raftmq.commitlog;

import io.raftmq.commitlog.error.StorageFailedException;
import io.raftmq.commitlog.index.IndexStore;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.commitlog.recovery.Checkpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the log's recovery {@link Checkpoint}: the last force snapshot ({@link LogForcer}) and the log start, so
 * recovery scans only from there. Before writing one it forces the index units the checkpoint newly covers; it
 * skips a checkpoint equal to the last one. On open it reads the checkpoint and refuses a log written with another
 * segment size.
 *
 * <p>Thread-safety: {@link #checkpoint()} from any thread (flush agent, MANUAL-mode {@code flush()});
 * {@link #writeLocked} by a holder of the force lock.
 */
final class Checkpointer {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
    private final StorageProvider storage;
    private final Path path;
    private final Path logDirectory;
    private final long segmentBytes;
    private final IndexStore index;
    private final PublishedTail tail;
    private final LogForcer forcer;
    private final ReentrantLock forceLock;
    private final LogFence fence;
    /** The last checkpoint written (guarded by the force lock). */
    private Checkpoint last;

    Checkpointer(StorageProvider storage, CommitLogConfig config, IndexStore index, PublishedTail tail,
        LogForcer forcer, ReentrantLock forceLock, LogFence fence) {
        this.storage = storage;
        this.logDirectory = config.directory();
        this.path = logDirectory.resolve("checkpoint");
        this.segmentBytes = config.segmentBytes();
        this.index = index;
        this.tail = tail;
        this.forcer = forcer;
        this.forceLock = forceLock;
        this.fence = fence;
    }

    /**
     * Reads the checkpoint on open; null if there is none or it is damaged (recovery then scans everything).
     *
     * @throws StorageFailedException the log on disk was written with another segment size
     */
    Checkpoint load() throws IOException {
        Checkpoint cp = Checkpoint.decode(storage.readAll(path));
        if (cp != null && cp.segmentBytes() != segmentBytes) {
            throw new StorageFailedException("segmentBytes " + segmentBytes + " differs from "
                + cp.segmentBytes() + " the log in " + logDirectory + " was written with", null);
        }
        return cp;
    }

    /** Writes a checkpoint for the last force snapshot, unless the log is closed or fenced; logs a failure. */
    void checkpoint() {
        forceLock.lock();
        try {
            if (fence.usable()) {
                writeLocked(false);
            }
        } catch (IOException e) {
            LOG.warn("checkpoint of {} failed; recovery will scan from the previous one", logDirectory, e);
        } finally {
            forceLock.unlock();
        }
    }

    /**
     * Before a truncation zeroes the removed records (both locks held): a checkpoint that claims nothing forced past
     * {@code position}, the truncation point, where entry {@code nextIndex} starts and links to {@code prevCrc}. A
     * crash while the records are zeroed (from the end back) is then a shorter log with a clean end, not forced records
     * lost; a crash before the zeroing finds the old records still linking there and keeps them.
     */
    void writeBeforeTruncateLocked(long position, long nextIndex, int prevCrc) throws IOException {
        if (forcer.forcedPosition() <= position || position <= tail.startPosition()) {
            return; // nothing forced past the point; or the whole log goes (recovery then needs the old checkpoint)
        }
        long firstIndex = tail.firstIndex();
        Checkpoint cp = new Checkpoint(segmentBytes, tail.startPosition(), position, nextIndex, prevCrc, false,
            firstIndex);
        long fromIndex = last == null ? firstIndex : Math.min(last.nextIndex(), nextIndex);
        index.force(Math.max(firstIndex, fromIndex), nextIndex); // recovery trusts the units before the checkpoint
        storage.writeAtomically(path, cp.encode());
        last = cp;
    }

    /**
     * Writes a checkpoint of the last force snapshot ({@code clean}: written by close, nothing after it) after
     * forcing the index units it covers. Caller holds the force lock.
     */
    void writeLocked(boolean clean) throws IOException {
        long firstIndex = tail.firstIndex();
        long forcedNextIndex = forcer.forcedNextIndex();
        Checkpoint cp = new Checkpoint(segmentBytes, tail.startPosition(), forcer.forcedPosition(), forcedNextIndex,
            forcer.forcedPrevCrc(), clean, firstIndex);
        if (cp.equals(last)) {
            return;
        }
        long from = last == null ? firstIndex : Math.min(last.nextIndex(), forcedNextIndex);
        index.force(Math.max(firstIndex, from), forcedNextIndex);
        storage.writeAtomically(path, cp.encode());
        last = cp;
    }
}
