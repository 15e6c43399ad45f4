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
     * Before a truncation removes the records from {@code position} on (both locks held): the truncation's commit
     * point, a checkpoint at {@code position} (where entry {@code nextIndex} starts and links to {@code prevCrc})
     * flagged truncating. Recovery after a crash at any later step of the truncation finishes the removal before it
     * scans (every byte from the point to its segment's end zeroed, later segments deleted), so no crash (a kill
     * or a power loss that kept any subset of the zeroing) leaves valid records behind zeros, which recovery would
     * have to take for damage inside the log. The bytes before the point are forced first when they are not yet
     * (the checkpoint says they are durable). A crash before this write finds the old checkpoint and the old records.
     * A truncation of the whole log (to its start) writes nothing here.
     */
    void writeBeforeTruncateLocked(long position, long nextIndex, int prevCrc) throws IOException {
        if (position <= tail.startPosition()) {
            return; // the whole log goes (recovery then needs the old checkpoint)
        }
        if (forcer.forcedPosition() < position) {
            forcer.forceFilesLocked();
        }
        long firstIndex = tail.firstIndex();
        Checkpoint cp = new Checkpoint(segmentBytes, tail.startPosition(), position, nextIndex, prevCrc, false,
            firstIndex, true);
        long fromIndex = last == null ? firstIndex : Math.min(last.nextIndex(), nextIndex);
        index.force(Math.max(firstIndex, fromIndex), nextIndex); // recovery trusts the units before the checkpoint
        storage.writeAtomically(path, cp.encode());
        last = cp;
    }

    /**
     * Before a reset of the whole log removes its segments (both locks held): the reset's commit point, a checkpoint
     * of the empty log at {@code position} (where entry {@code nextIndex} goes, linking to {@code prevCrc}) flagged
     * truncating with the log start at its position ({@link Checkpoint#resetting()}). Recovery after a crash or a
     * device error at any later step of the reset deletes whatever segments are left and opens the empty log there;
     * a crash before this write finds the old checkpoint and the old log, whole.
     */
    void writeBeforeResetLocked(long position, long nextIndex, int prevCrc) throws IOException {
        Checkpoint cp = new Checkpoint(segmentBytes, position, position, nextIndex, prevCrc, false, nextIndex, true);
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
