package io.raftmq.commitlog.dispatch;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.indexfile.IndexFileCorruptException;
import io.raftmq.commitlog.indexfile.IndexFileStore;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.queue.ConsumeQueueCorruptException;
import io.raftmq.commitlog.queue.ConsumeQueueStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds ConsumeQueues and the key index from CommitLog records below a committed position, and checkpoints
 * its progress ({@link DispatchCheckpoint}). Each message of a message record gets a ConsumeQueue unit at its
 * stamped queue offset (normal and committed-transaction messages only) and index entries for its KEYS and
 * UNIQ_KEY (all but rollback messages): the dispatch loop, {@link MessageBatch}.
 *
 * <p>Recovery ({@link #open}, checks in {@link DerivedDataRecovery}): with a valid checkpoint inside the log,
 * derived data beyond the checkpoint is cut off and every queue's max offset must equal the checkpoint's;
 * otherwise (checkpoint missing or invalid, outside the log, a queue or index file failing validation, a max
 * offset mismatch) the derived data is deleted and rebuilt from the log start by later {@link #dispatchUpTo}
 * calls. Durability order: derived files are forced before the checkpoint that covers them is written.
 *
 * <p>Every file operation goes through the {@link StorageProvider} port given to {@link #open}; it must tolerate a
 * close racing a read (a channel, not a mapping), since readers race retention. A write that fails through it
 * surfaces as the port's {@link IOException} ({@link io.raftmq.commitlog.io.NoSpaceException} when the device is
 * full) from the mutating call.
 *
 * <p>Threading: one dispatcher thread calls {@link #dispatchUpTo}, {@link #checkpoint},
 * {@link #deleteBelowPhysical} and {@link #close}; {@link #dispatchedPosition()} and the stores' read methods
 * may be used from any thread. After an {@link IOException} from a mutating call the dispatcher is unusable:
 * close and reopen it (recovery cuts back to the last checkpoint).
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    static final String CHECKPOINT_FILE = "dispatch.checkpoint";
    static final String CONSUME_QUEUE_DIR = "consumequeue";
    static final String INDEX_DIR = "index";

    private final DispatchConfig config;
    private final RecordSource source;
    private final StorageProvider storage;
    private final Path checkpointPath;
    private ConsumeQueueStore queues;
    private IndexFileStore index;
    /** The dispatch loop over the current stores. */
    private MessageBatch batch;
    /** Invariant: every record before it is in the derived data; never beyond the committed limit given. */
    private volatile long dispatchedPosition;
    /** Index of the last record before dispatchedPosition, -1 if unknown (nothing dispatched since rebuild). */
    private volatile long dispatchedIndex;
    private long checkpointedPosition;
    private boolean failed;

    private Dispatcher(DispatchConfig config, RecordSource source, StorageProvider storage) {
        this.config = config;
        this.source = source;
        this.storage = storage;
        this.checkpointPath = config.directory().resolve(CHECKPOINT_FILE);
    }

    /**
     * Opens the derived data stored through {@code storage} and recovers it against {@code source} (class
     * javadoc). Rebuilds are logged.
     *
     * @throws IOException on I/O failure
     */
    public static Dispatcher open(DispatchConfig config, RecordSource source, StorageProvider storage)
            throws IOException {
        storage.createDirectories(config.directory());
        Dispatcher d = new Dispatcher(config, source, storage);
        d.recover();
        return d;
    }

    private void recover() throws IOException {
        DispatchCheckpoint cp = DispatchCheckpoint.read(storage, checkpointPath);
        String reason = DerivedDataRecovery.checkpointProblem(cp, source);
        if (reason == null) {
            try {
                openStores();
                reason = DerivedDataRecovery.reconcile(cp, queues, index, source.startPosition());
            } catch (ConsumeQueueCorruptException | IndexFileCorruptException e) {
                reason = e.getMessage();
            }
        }
        if (reason == null) {
            dispatchedPosition = cp.dispatchedPosition();
            dispatchedIndex = cp.dispatchedIndex();
            checkpointedPosition = dispatchedPosition;
            LOG.info("derived data in {} resumes at position {}", config.directory(), dispatchedPosition);
            return;
        }
        if (cp == null && !storage.listDirectories(config.directory()).contains(CONSUME_QUEUE_DIR)) {
            LOG.info("creating derived data in {} from the log start {}", config.directory(), source.startPosition());
        } else {
            LOG.warn("rebuilding derived data in {} from the log start {}: {}", config.directory(),
                    source.startPosition(), reason);
        }
        closeStores();
        DerivedDataRecovery.deleteRecursively(storage, config.directory().resolve(CONSUME_QUEUE_DIR));
        DerivedDataRecovery.deleteRecursively(storage, config.directory().resolve(INDEX_DIR));
        openStores();
        dispatchedPosition = source.startPosition();
        dispatchedIndex = -1;
        checkpoint();
    }

    /** Every record before this position is in the derived data. Any thread. */
    public long dispatchedPosition() {
        return dispatchedPosition;
    }

    /** Index of the last dispatched record, -1 if none since the last rebuild. Any thread. */
    public long dispatchedIndex() {
        return dispatchedIndex;
    }

    /** The ConsumeQueues (read them from any thread). */
    public ConsumeQueueStore consumeQueues() {
        return queues;
    }

    /** The key index (query it from any thread). */
    public IndexFileStore indexFiles() {
        return index;
    }

    /**
     * Dispatches every record that ends at or before {@code committedPosition} (the end of the last committed
     * record; must not exceed the log's end) and checkpoints when {@code checkpointIntervalBytes} were
     * dispatched since the last checkpoint.
     *
     * @return the new dispatched position ({@code <= committedPosition})
     * @throws IOException on I/O failure (the dispatcher is then unusable)
     */
    public long dispatchUpTo(long committedPosition) throws IOException {
        Verify.state(!failed, "dispatcher failed earlier; reopen it");
        Verify.argument(committedPosition <= source.endPosition(), "committed position beyond the log end");
        if (committedPosition <= dispatchedPosition) {
            return dispatchedPosition;
        }
        try {
            long next = batch.visit(source, dispatchedPosition, committedPosition, dispatchedIndex);
            Verify.state(next <= committedPosition, "dispatched beyond the committed limit", next,
                    committedPosition);
            Verify.state(next >= dispatchedPosition, "dispatch went backwards", next, dispatchedPosition);
            batch.commit();
            dispatchedIndex = batch.lastIndex();
            dispatchedPosition = next;
        } catch (UncheckedIOException e) {
            failed = true;
            throw e.getCause();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        if (dispatchedPosition - checkpointedPosition >= config.checkpointIntervalBytes()) {
            checkpoint();
        }
        return dispatchedPosition;
    }

    /**
     * Writes the consume-queue units held only in memory to the files, without forcing them or writing a checkpoint
     * (they stay beyond it: a crash still rebuilds them from the log). Returns the units written. A write failure
     * leaves the dispatcher unusable. Dispatcher thread, between passes.
     */
    public int writeHeldUnits() throws IOException {
        Verify.state(!failed, "dispatcher failed earlier; reopen it");
        int n = 0;
        try {
            for (ConsumeQueue q : queues.queues()) {
                if (q.unwrittenUnits() > 0) {
                    n += q.writePublished();
                }
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        return n;
    }

    /**
     * Writes the consume-queue units held in memory, forces the derived files, then writes the checkpoint
     * atomically. A failure to write or force the derived files leaves the dispatcher unusable; a failure to write
     * the checkpoint file keeps the previous checkpoint and the dispatcher usable.
     */
    public void checkpoint() throws IOException {
        Verify.state(!failed, "dispatcher failed earlier; reopen it");
        try {
            queues.flush();
            index.flush();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        List<DispatchCheckpoint.QueueMax> maxima = new ArrayList<>();
        for (ConsumeQueue q : queues.queues()) {
            maxima.add(new DispatchCheckpoint.QueueMax(q.topic(), q.queueId(), q.maxOffset()));
        }
        long position = dispatchedPosition;
        new DispatchCheckpoint(position, dispatchedIndex, maxima).write(storage, checkpointPath);
        checkpointedPosition = position;
    }

    /**
     * Restarts the derived data for a log that restarts empty at {@code position} after record
     * {@code lastIndex} (snapshot install, docs/snapshots.md rule 4): every ConsumeQueue empty at its next offset
     * in {@code nextOffsets} (other queues at 0), the key index empty, the dispatched position at
     * {@code position}; then writes the checkpoint, which makes the reset durable. Call it before the log itself
     * is reset: a crash in between leaves a checkpoint outside or inside the old log, and {@link #open} either
     * rebuilds from the old log or resumes; the caller repeats the reset (it keeps the target durable first).
     *
     * @throws IOException on I/O failure (the dispatcher is then unusable)
     */
    public void resetTo(long position, long lastIndex, List<DispatchCheckpoint.QueueMax> nextOffsets)
            throws IOException {
        Verify.state(!failed, "dispatcher failed earlier; reopen it");
        Verify.argument(position >= 0 && lastIndex >= 0, "reset needs position and index >= 0");
        Map<String, Long> byQueue = new HashMap<>();
        for (DispatchCheckpoint.QueueMax q : nextOffsets) {
            Verify.argument(q.maxOffset() >= 0, "queue offset must be >= 0");
            byQueue.put(q.topic() + '/' + q.queueId(), q.maxOffset());
        }
        try {
            batch.clear();
            queues.resetAll(byQueue);
            index.resetTo(position);
            dispatchedIndex = lastIndex;
            dispatchedPosition = position;
            checkpoint();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        LOG.info("derived data in {} reset to position {} after index {} ({} queues)", config.directory(),
                position, lastIndex, nextOffsets.size());
    }

    /**
     * Restarts each named queue that holds no unit and stands below its offset in {@code nextOffsets} at that
     * offset (creating absent ones), then checkpoints if any moved: what a rebuild of the derived data after a
     * {@link #resetTo} loses (the counters of queues without units live only in the checkpoint). Only while nothing
     * was dispatched since the log start, else a no-op. Returns the queues moved.
     *
     * @throws IOException on I/O failure (the dispatcher is then unusable)
     */
    public int raiseEmptyQueues(List<DispatchCheckpoint.QueueMax> nextOffsets) throws IOException {
        Verify.state(!failed, "dispatcher failed earlier; reopen it");
        if (dispatchedPosition != source.startPosition()) {
            return 0;
        }
        int moved = 0;
        try {
            for (DispatchCheckpoint.QueueMax m : nextOffsets) {
                ConsumeQueue q = queues.queue(m.topic(), m.queueId());
                boolean empty = q == null || q.minOffset() == q.maxOffset();
                if (empty && (q == null ? 0 : q.maxOffset()) < m.maxOffset()) {
                    queues.getOrCreate(m.topic(), m.queueId()).resetTo(m.maxOffset());
                    moved++;
                }
            }
            if (moved > 0) {
                checkpoint();
                LOG.warn("derived data in {}: {} empty queues restarted at the offsets of the snapshot",
                        config.directory(), moved);
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        return moved;
    }

    /**
     * Retention: drops derived data pointing below {@code physicalFloor} (the log's new start position),
     * which must not exceed the dispatched position. Returns the ConsumeQueue and index files deleted.
     */
    public int deleteBelowPhysical(long physicalFloor) throws IOException {
        Verify.state(physicalFloor <= dispatchedPosition, "retention floor above the dispatched position",
                physicalFloor, dispatchedPosition);
        return queues.deleteBelowPhysical(physicalFloor) + index.deleteBelowPhysical(physicalFloor);
    }

    /**
     * Retention deleted the segment in whose tail the dispatched position stands, before the filler that closes
     * it ({@link RecordSource#forEach} never passes a filler alone), every record of it dispatched: dispatching
     * continues at {@code logStart}, the new log start. The caller (which knows the log's indices) checks that no
     * record lies between. Dispatcher thread.
     */
    public void continueAtLogStart(long logStart) {
        Verify.state(logStart > dispatchedPosition && logStart == source.startPosition(),
                "not a log start beyond the dispatched position", logStart, dispatchedPosition);
        dispatchedPosition = logStart;
    }

    /** Checkpoints (unless failed) and closes the stores. */
    @Override
    public void close() throws IOException {
        try {
            if (!failed && queues != null) {
                checkpoint();
            }
        } finally {
            closeStores();
        }
    }

    private void openStores() throws IOException {
        queues = ConsumeQueueStore.open(storage, config.directory().resolve(CONSUME_QUEUE_DIR),
                config.consumeQueueUnitsPerFile());
        index = IndexFileStore.open(storage, config.directory().resolve(INDEX_DIR), config.indexSlotCount(),
                config.indexEntryCount());
        batch = new MessageBatch(config.messageRecordType(), queues, index);
    }

    private void closeStores() throws IOException {
        try {
            if (queues != null) {
                queues.close();
            }
        } finally {
            if (index != null) {
                index.close();
            }
            queues = null;
            index = null;
            batch = null;
        }
    }
}
