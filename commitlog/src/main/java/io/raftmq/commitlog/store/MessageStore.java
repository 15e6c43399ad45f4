package io.raftmq.commitlog.store;

import io.raftmq.commitlog.AppendBatch;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.dispatch.CommitLogRecordSource;
import io.raftmq.commitlog.dispatch.DispatchCheckpoint;
import io.raftmq.commitlog.dispatch.Dispatcher;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.indexfile.IndexFileStore;
import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.SysFlag;
import io.raftmq.commitlog.queue.ConsumeQueueStore;
import io.raftmq.commitlog.recovery.RecoveryPolicy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Facade over the CommitLog, the {@link QueueOffsetStamper} and the {@link Dispatcher}: what the broker uses
 * to append message records (getting back each message's physical and queue offsets), to build the derived
 * data up to the committed position, to truncate the uncommitted suffix, and to read ConsumeQueues and the key
 * index.
 *
 * <p>Threading: {@link #append} and {@link #truncateFrom} from the Raft agent thread (appends are also
 * serialised here, so an {@link AppendResult} always belongs to its own append); {@link #dispatchUpTo},
 * {@link #dispatchUpToIndex}, {@link #checkpoint} and {@link #deleteExpired} from one dispatcher thread;
 * reads of the CommitLog, ConsumeQueues and index from any thread. Errors are those of {@link CommitLog}
 * (unchecked, typed) plus {@link IOException} from the derived data.
 */
public final class MessageStore implements AutoCloseable {
    private final MessageStoreConfig config;
    private final CommitLog log;
    private final QueueOffsetStamper stamper;
    private final Dispatcher dispatcher;
    /** Where the derived data lives; also the port of the raft log's small boundary files. */
    private final StorageProvider derivedStorage;

    private MessageStore(MessageStoreConfig config, CommitLog log, QueueOffsetStamper stamper,
                         Dispatcher dispatcher, StorageProvider derivedStorage) {
        this.config = config;
        this.log = log;
        this.stamper = stamper;
        this.dispatcher = dispatcher;
        this.derivedStorage = derivedStorage;
    }

    /**
     * The storage of the derived data (ConsumeQueues, key index, dispatch checkpoint): the real file system, or a
     * simulated disk in tests. Owners of small files kept beside the store (the raft log's boundary files) write
     * them through it too, so they share its faults in a simulation.
     */
    public StorageProvider derivedStorage() {
        return derivedStorage;
    }

    /**
     * {@link #open(MessageStoreConfig, StorageProvider, StorageProvider)} on the real disk: the CommitLog in its
     * configured {@link IoMode}, the derived data through channels ({@link IoMode#CHANNEL}: its readers race
     * retention, which a mapping would not survive).
     */
    public static MessageStore open(MessageStoreConfig config) throws IOException {
        return open(config, RecoveryPolicy.DEFAULT);
    }

    /** As {@link #open(MessageStoreConfig)}, with the CommitLog's recovery policy (see {@link RecoveryPolicy}). */
    public static MessageStore open(MessageStoreConfig config, RecoveryPolicy policy) throws IOException {
        return open(config, new FileSystemStorage(config.commitLog().ioMode()), new FileSystemStorage(IoMode.CHANNEL),
            policy);
    }

    /**
     * Opens the CommitLog through {@code logStorage} (recovering it), then the derived data through
     * {@code derivedStorage} (resuming or rebuilding it), then rebuilds the stamper's counters from the
     * undispatched tail.
     *
     * @throws IOException on I/O failure of the derived data (the CommitLog raises its own typed errors)
     */
    public static MessageStore open(MessageStoreConfig config, StorageProvider logStorage,
                                    StorageProvider derivedStorage) throws IOException {
        return open(config, logStorage, derivedStorage, RecoveryPolicy.DEFAULT);
    }

    /** As {@link #open(MessageStoreConfig, StorageProvider, StorageProvider)}, with the CommitLog's recovery policy. */
    public static MessageStore open(MessageStoreConfig config, StorageProvider logStorage,
                                    StorageProvider derivedStorage, RecoveryPolicy policy) throws IOException {
        QueueOffsetStamper stamper = new QueueOffsetStamper(config.dispatch().messageRecordType());
        CommitLog log = CommitLog.open(config.commitLog(), stamper, logStorage, policy);
        Dispatcher dispatcher = null;
        try {
            int chunk = config.dispatch().readChunkBytes();
            dispatcher = Dispatcher.open(config.dispatch(), new CommitLogRecordSource(log, chunk), derivedStorage);
            Dispatcher d = dispatcher;
            stamper.bind(new CommitLogRecordSource(log, chunk), new QueueOffsetStamper.Baseline() {
                @Override
                public long dispatchedPosition() {
                    return d.dispatchedPosition();
                }

                @Override
                public long maxOffset(String topic, int queueId) {
                    return d.consumeQueues().maxOffset(topic, queueId);
                }
            });
            synchronized (stamper) {
                stamper.recompute(log.endPosition());
            }
            return new MessageStore(config, log, stamper, dispatcher, derivedStorage);
        } catch (IOException | RuntimeException e) {
            if (dispatcher != null) {
                dispatcher.close();
            }
            log.close();
            throw e;
        }
    }

    /** The CommitLog (reads, positions, durability waits). */
    public CommitLog commitLog() {
        return log;
    }

    /** The ConsumeQueues (reads from any thread). */
    public ConsumeQueueStore consumeQueues() {
        return dispatcher.consumeQueues();
    }

    /** The key index (queries from any thread). */
    public IndexFileStore indexFiles() {
        return dispatcher.indexFiles();
    }

    /** Every record before this position is in the derived data. */
    public long dispatchedPosition() {
        return dispatcher.dispatchedPosition();
    }

    /** The next queue offset the stamper would give (topic, queueId). */
    public long nextQueueOffset(String topic, int queueId) {
        synchronized (stamper) {
            return stamper.peekNextOffset(topic, queueId);
        }
    }

    /**
     * Appends the batch; message records are stamped. On return {@code result} (if not null) has been given, in
     * log order, each stamped message's physical and queue offset (an {@link AppendResult} lists them). Errors as
     * {@link CommitLog#append}; a body whose messages do not decode, or a replicated body whose stamps differ from
     * this replica's, aborts the batch with {@link io.raftmq.commitlog.message.MessageFormatException} /
     * {@link IllegalStateException}.
     */
    public void append(AppendBatch batch, StampSink result) {
        synchronized (stamper) {
            stamper.collectInto(result);
            try {
                log.append(batch);
            } finally {
                stamper.collectInto(null);
            }
        }
    }

    /** Builds the derived data for records ending at or before {@code committedPosition}; returns the new end. */
    public long dispatchUpTo(long committedPosition) throws IOException {
        return dispatcher.dispatchUpTo(committedPosition);
    }

    /** Builds the derived data up to and including the record with {@code commitIndex}. */
    public long dispatchUpToIndex(long commitIndex) throws IOException {
        if (commitIndex < log.firstIndex()) {
            return dispatcher.dispatchedPosition();
        }
        Verify.state(commitIndex <= log.lastIndex(), "commit index beyond the log", commitIndex, log.lastIndex());
        long limit = commitIndex == log.lastIndex() ? log.endPosition() : log.position(commitIndex + 1);
        return dispatcher.dispatchUpTo(limit);
    }

    /**
     * Removes records with index {@code >= index} (uncommitted only: they must not be dispatched yet); the
     * stamper's counters are recomputed.
     */
    public void truncateFrom(long index) {
        Verify.state(index > dispatcher.dispatchedIndex(), "truncating dispatched (committed) records", index,
                dispatcher.dispatchedIndex());
        synchronized (stamper) {
            log.truncateFrom(index);
        }
    }

    /**
     * Restarts the store empty at another member's position (snapshot install, docs/snapshots.md rule 4): the
     * derived data first (every ConsumeQueue empty at its next offset in {@code nextOffsets}, other queues at 0,
     * the key index empty, dispatch checkpoint at {@code nextPosition}), then the CommitLog (next record
     * {@code nextIndex} at {@code nextPosition}, linked to {@code prevCrc}: the other member's crc of record
     * {@code nextIndex - 1}); the stamper's counters then come from the reset queues, so the
     * records appended next are stamped as the other member stamped them. Durable on return. Idempotent, so a
     * caller that keeps its target durable repeats it after a crash in the middle (the CommitLog's first index
     * says whether the log part ran). Dispatcher thread (which is also the appending thread in the broker).
     *
     * @throws IOException on I/O failure of the derived data (the dispatcher is then unusable)
     */
    public void resetTo(long nextIndex, long nextPosition, int prevCrc,
                        List<DispatchCheckpoint.QueueMax> nextOffsets) throws IOException {
        Verify.argument(nextIndex >= 1 && nextPosition >= 0, "reset needs index >= 1 and position >= 0");
        synchronized (stamper) {
            dispatcher.resetTo(nextPosition, nextIndex - 1, nextOffsets);
            log.resetTo(nextIndex, nextPosition, prevCrc);
            stamper.recompute(log.endPosition());
        }
        Verify.state(log.startPosition() == nextPosition && log.firstIndex() == nextIndex, "log start after reset",
                log.startPosition(), nextPosition);
    }

    /**
     * After a rebuild of the derived data on a log that an install restarted (nothing dispatched since the log
     * start): restarts the queues without units at their install offsets {@code nextOffsets}, which only the lost
     * dispatch checkpoint knew, and recomputes the stamper's counters; a no-op otherwise. Returns the queues moved.
     * Dispatcher thread, before the first dispatch.
     *
     * @throws IOException on I/O failure of the derived data
     */
    public int raiseEmptyQueues(List<DispatchCheckpoint.QueueMax> nextOffsets) throws IOException {
        synchronized (stamper) {
            int moved = dispatcher.raiseEmptyQueues(nextOffsets);
            if (moved > 0) {
                stamper.recompute(log.endPosition());
            }
            return moved;
        }
    }

    /**
     * After a rebuild of the derived data on a log whose start a snapshot covers (nothing dispatched since the log
     * start; retention or an install removed what came before): restarts every queue of {@code nextOffsets} (each
     * queue's next offset once the snapshot's last record, which ends at {@code snapshotEnd}, is dispatched) that
     * has no message in the log's records before {@code snapshotEnd}. Such a queue's counter lived only in the lost
     * dispatch checkpoint, and without it the stamper would restart the queue at 0 (docs/storage.md "Derived
     * data"); a queue with messages there restarts at the first one's stamped offset when it is dispatched. A no-op
     * unless nothing was dispatched since the log start and the snapshot reaches it. Returns the queues moved.
     * Dispatcher thread, before the first dispatch.
     *
     * @throws IOException on I/O failure of the derived data
     */
    public int raiseQueuesAbsentBefore(long snapshotEnd, List<DispatchCheckpoint.QueueMax> nextOffsets)
            throws IOException {
        if (dispatcher.dispatchedPosition() != log.startPosition() || snapshotEnd < log.startPosition()) {
            return 0; // derived data intact, or a snapshot short of the log start (its counters are old)
        }
        Set<String> present = new HashSet<>();
        StoredMessage m = new StoredMessage();
        byte type = config.dispatch().messageRecordType();
        long end = Math.min(snapshotEnd, log.endPosition());
        if (end > log.startPosition()) {
            new CommitLogRecordSource(log, config.dispatch().readChunkBytes()).forEach(log.startPosition(), end,
                (t, index, buffer, bodyOffset, bodyLength, bodyPosition, endPosition) -> {
                    for (int at = bodyOffset; t == type && at < bodyOffset + bodyLength; at += m.totalSize()) {
                        m.wrap(buffer, at, bodyOffset + bodyLength);
                        if (SysFlag.isConsumable(m.sysFlag())) {
                            present.add(m.topic() + '\u0000' + m.queueId());
                        }
                    }
                });
        }
        List<DispatchCheckpoint.QueueMax> absent = new ArrayList<>();
        for (DispatchCheckpoint.QueueMax q : nextOffsets) {
            if (!present.contains(q.topic() + '\u0000' + q.queueId())) {
                absent.add(q);
            }
        }
        return raiseEmptyQueues(absent);
    }

    /**
     * Writes the consume-queue units held only in memory to their files (not forced; no checkpoint). Returns the
     * units written. Dispatcher thread, between dispatch passes.
     */
    public int writeHeldUnits() throws IOException {
        return dispatcher.writeHeldUnits();
    }

    /** Forces the derived data and writes its checkpoint. Dispatcher thread. */
    public void checkpoint() throws IOException {
        dispatcher.checkpoint();
    }

    /**
     * Retention: deletes expired CommitLog segments, never one holding an undispatched record or a record
     * with index {@code >= floorIndex}, then the derived data pointing below the new log start. Dispatcher
     * thread. Returns the CommitLog segments deleted.
     */
    public int deleteExpired(long floorIndex, long nowMs) throws IOException {
        long dispatchedIndex = dispatcher.dispatchedIndex();
        // keep the segment of the last dispatched record, so the new log start never passes the dispatched end
        long floor = Math.min(floorIndex, dispatchedIndex < 0 ? log.firstIndex() : dispatchedIndex);
        int deleted = log.deleteExpired(floor, nowMs);
        if (deleted > 0) {
            followLogStart();
            dispatcher.deleteBelowPhysical(log.startPosition());
        }
        return deleted;
    }

    /**
     * After a deletion of head segments: if the log now starts beyond the dispatched position although every record
     * before the start was dispatched (the dispatcher stood before the filler of the deleted segment holding the last
     * dispatched record), the dispatcher continues at the log start.
     */
    private void followLogStart() {
        long start = log.startPosition();
        if (start > dispatcher.dispatchedPosition() && dispatcher.dispatchedIndex() == log.firstIndex() - 1) {
            dispatcher.continueAtLogStart(start);
        }
    }

    /** Index of the last dispatched record, -1 while unknown (nothing dispatched since a rebuild). Any thread. */
    public long dispatchedIndex() {
        return dispatcher.dispatchedIndex();
    }

    /**
     * Retention when the caller deleted CommitLog segments itself ({@link CommitLog#deleteSegmentsBefore}): drops the
     * ConsumeQueue and index files whose entries all point below the log's start. Dispatcher thread. Returns the
     * files deleted.
     */
    public int deleteDerivedBelowLogStart() throws IOException {
        followLogStart();
        return dispatcher.deleteBelowPhysical(log.startPosition());
    }

    /** Checkpoints and closes the derived data, then closes the CommitLog. */
    @Override
    public void close() throws IOException {
        try {
            dispatcher.close();
        } finally {
            log.close();
        }
    }

    /** The configuration this store was opened with. */
    public MessageStoreConfig config() {
        return config;
    }
}
