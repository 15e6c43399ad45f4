package io.raftmq.commitlog;

import io.raftmq.commitlog.error.CommitLogException;
import io.raftmq.commitlog.error.CorruptLogException;
import io.raftmq.commitlog.error.DiskFullException;
import io.raftmq.commitlog.error.DurableTimeoutException;
import io.raftmq.commitlog.error.LogTruncatedException;
import io.raftmq.commitlog.error.StorageFailedException;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.flush.DurableListener;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.flush.GroupCommit;
import io.raftmq.commitlog.index.IndexStore;
import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.recovery.LogRecovery;
import io.raftmq.commitlog.retention.SegmentSpan;
import io.raftmq.commitlog.recovery.RecoveryLoss;
import io.raftmq.commitlog.recovery.RecoveryPolicy;
import io.raftmq.commitlog.segment.Preallocator;
import io.raftmq.commitlog.segment.SegmentList;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit log: the Raft log of one broker, one record per Raft entry, stored in preallocated segment files
 * ({@link RecordHeader} has the record layout) with a raft-index file mapping index -> (position, term). It knows
 * nothing of Raft beyond the opaque term and index in each header; indices must be contiguous.
 *
 * <p><b>Positions.</b> A record is addressed by its absolute position: segment base + offset in the segment.
 * Positions depend only on the segment size and the sequence of records, so every member of a group must use the
 * same {@link CommitLogConfig#segmentBytes()} to store byte-identical logs.
 *
 * <p><b>Empty log.</b> {@code lastIndex() == firstIndex() - 1}. A new log has firstIndex 1 and lastIndex 0; the
 * first append must carry index {@code lastIndex() + 1}. {@link #resetTo} starts over at another index/position.
 *
 * <p><b>Threads.</b> Appends, truncation, reset and retention are serialized by one append lock (any thread may call
 * them); in SYNC mode {@link #appendCoalesced} callers instead queue lock-free and the flush agent writes their
 * batches as one group per force (see docs/storage.md, "CommitLog: two ways to append"). Reads
 * ({@link #read}, {@link #entries}, {@link #term}, {@link #position}) are lock-free and may run on any thread
 * concurrently with appends: they only see bytes below a volatile readable position published after the bytes were
 * written, so never a partial record. A read racing with {@link #truncateFrom} or {@link #resetTo} of the same range
 * may return records of the new branch or fail with {@link LogTruncatedException}. One flush agent thread (SYNC/ASYNC
 * modes) forces the log; see {@link FlushMode}. Beside it, a {@link Preallocator} thread (CHANNEL mode) zero-fills
 * ahead of the writer and creates the next segment early, so group-commit forces overwrite allocated blocks instead of
 * filling holes (see docs/benchmarks.md, CommitLog).
 *
 * <p><b>Errors.</b> {@link DiskFullException}, {@link RecordTooLargeException}, {@link CorruptLogException},
 * {@link LogTruncatedException}, {@link StorageFailedException} (fences the log), {@link DurableTimeoutException};
 * caller mistakes are {@link IllegalArgumentException}, broken invariants {@link IllegalStateException}.
 *
 * <p><b>Structure.</b> This class is the facade: it wires the parts and holds the public API. Writes go through
 * {@link LogAppender} and {@link LogWriter}, and are published by {@link PublishedTail} to {@link LogReader} and to
 * the flush path: {@link GroupCommitFlusher} (the flush agent's cycles), {@link LogForcer} (one force) and
 * {@link Checkpointer}. {@link LogTruncator} and {@link RetentionSweep} move the ends; {@link LogFence} says whether
 * the log may still be used; {@link LogLocks} states the lock order.
 */
public final class CommitLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommitLog.class);
    /** Bound on coalesced appends queued at once (one per waiting thread); also bounded by durableWaitersMax. */
    public static final int COALESCED_QUEUED_MAX = 4096;

    private final CommitLogConfig config;
    private final StorageProvider storage;
    private final SegmentList segments;
    private final IndexStore index;
    private final LogLocks locks = LogLocks.create();
    private final GroupCommit groupCommit;
    private final LogFence fence;
    /**
     * Zero-fills ahead of the writer (CHANNEL mode with preallocateAheadBytes > 0), else null. Its thread runs
     * with the flush agent (SYNC/ASYNC); in MANUAL mode, which starts no thread, tests drive it by hand.
     */
    private final Preallocator preallocator;
    /** The tail: write position, next index, crc chain. Guarded by the append lock. */
    private final LogWriter writer;
    private final PublishedTail tail;
    private final LogReader reader;
    private final LogAppender appender;
    private final LogForcer forcer;
    private final Checkpointer checkpointer;
    private final GroupCommitFlusher flusher;
    private final LogTruncator truncator;
    private final RetentionSweep retention;
    /** The newest writeBufferBytes written, which reads take from memory (docs/storage.md "Reads of the tail"). */
    private final RecentBytes recent;
    /** What recovery at open dropped because of damage inside the log; null when nothing. */
    private RecoveryLoss recoveryLoss;

    private CommitLog(CommitLogConfig config, RecordStamper stamper, StorageProvider storage) {
        this.config = config;
        this.storage = storage;
        Path dir = config.directory();
        this.segments = new SegmentList(storage, dir.resolve("log"), "", config.segmentBytes(), 1);
        int stagedUnits = Math.max(1024, config.writeBufferBytes() / RecordHeader.HEADER_LENGTH + 1);
        this.index = new IndexStore(storage, dir.resolve("index"), config.indexUnitsPerSegment(), stagedUnits);
        this.groupCommit = new GroupCommit(config.durableWaitersMax(), 0, config.clock());
        this.fence = new LogFence(dir, groupCommit);
        this.preallocator = config.preallocateAheadBytes() > 0 && config.ioMode() == IoMode.CHANNEL
            ? new Preallocator(new PreallocatorHost(), segments, config.preallocateAheadBytes()) : null;
        this.recent = new RecentBytes(config.writeBufferBytes());
        this.writer = new LogWriter(config, segments, index, stamper, preallocator, recent);
        this.tail = new PublishedTail(writer, locks.append());
        this.reader = new LogReader(config.recordBytesMax(), segments, index, tail, fence, recent);
        this.appender = new LogAppender(config.recordBytesMax(), writer, tail, locks.append(), fence);
        this.forcer = new LogForcer(segments, groupCommit, tail, writer, locks.force(), fence, config.clock());
        this.checkpointer = new Checkpointer(storage, config, index, tail, forcer, locks.force(), fence);
        this.flusher = new GroupCommitFlusher(config, writer, tail, forcer, checkpointer, groupCommit, locks, fence);
        this.truncator = new LogTruncator(segments, index, writer, reader, tail, forcer, checkpointer, groupCommit,
            stamper, locks, fence);
        this.retention = new RetentionSweep(config, storage, segments, index, writer, reader, tail, checkpointer,
            locks, fence);
    }

    /** Opens (recovering) or creates the log on the real file system. See {@link #open(CommitLogConfig,
     * RecordStamper, StorageProvider)}. */
    public static CommitLog open(CommitLogConfig config, RecordStamper stamper) {
        return open(config, stamper, new FileSystemStorage(config.ioMode()));
    }

    /**
     * Opens or creates the log: loads segments, runs recovery (CRC scan from the last checkpoint, torn-tail
     * truncation, index repair) and starts the flush agent unless the mode is MANUAL. Control plane.
     *
     * @throws CorruptLogException    the first record of the log is damaged; nothing was changed
     * @throws StorageFailedException the device failed, or the segment size differs from the one on disk
     * @throws DiskFullException      repairing the tail needed space that is not there
     */
    public static CommitLog open(CommitLogConfig config, RecordStamper stamper, StorageProvider storage) {
        return open(config, stamper, storage, RecoveryPolicy.DEFAULT);
    }

    /**
     * As {@link #open(CommitLogConfig, RecordStamper, StorageProvider)}, with the recovery policy: whether to check
     * the whole log, and whom to tell before damage inside the log is cut back ({@link #recoveryLoss()}).
     */
    public static CommitLog open(CommitLogConfig config, RecordStamper stamper, StorageProvider storage,
                                 RecoveryPolicy policy) {
        CommitLog log = new CommitLog(config, stamper == null ? RecordStamper.NONE : stamper, storage);
        try {
            log.recover(policy);
        } catch (IOException e) {
            log.closeFiles();
            throw LogFence.ioError("open " + config.directory(), e);
        } catch (RuntimeException e) {
            log.closeFiles();
            throw e;
        }
        if (log.flusher.hasAgent()) {
            log.flusher.start("commitlog-flush-" + config.directory().getFileName());
            if (log.preallocator != null) {
                log.preallocator.start("commitlog-prealloc-" + config.directory().getFileName());
            }
        }
        return log;
    }

    private void recover(RecoveryPolicy policy) throws IOException {
        long t0 = System.nanoTime();
        storage.createDirectories(config.directory());
        segments.load();
        index.load();
        LogRecovery.Result r = new LogRecovery(config.recordBytesMax(), segments, index, storage, policy)
            .recover(checkpointer.load());
        recoveryLoss = r.loss();
        long t1 = System.nanoTime();
        writer.reset(r.endPosition(), r.nextIndex(), r.lastCrc());
        tail.setStart(r.startPosition(), r.firstIndex());
        tail.beginChange();
        tail.setEnd(writer.writePosition(), writer.nextIndex() - 1);
        tail.endChange();
        groupCommit.reset(0);
        forcer.resetForced(writer.writePosition(), writer.nextIndex(), writer.lastCrc());
        // Replace a clean-close checkpoint at once: recovery trusts "clean" only until the log is written again.
        checkpointer.writeLocked(false);
        long t2 = System.nanoTime();
        LOG.info("commit log {} open: positions [{}, {}), indices [{}, {}]; recovery {} ms, checkpoint {} ms",
            config.directory(), tail.startPosition(), writer.writePosition(), tail.firstIndex(), tail.lastIndex(),
            (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
    }

    /**
     * What recovery at open dropped because a record inside the log was damaged (the log was cut back to the last
     * valid record before it), or null when it dropped nothing but a torn tail. Any thread.
     */
    public RecoveryLoss recoveryLoss() {
        return recoveryLoss;
    }

    // ------------------------------------------------------------------------------------------------ append

    /**
     * Appends the batch atomically: on success every record is readable and {@code batch.position(i)} /
     * {@code batch.endPosition()} are set; on failure none is (bytes written are zeroed and the stamper is told via
     * {@link RecordStamper#truncated}). Records that do not fit in the current segment go to the next one, after a
     * filler. Does not wait for durability: use {@link #awaitDurable} or {@link #whenDurable} with
     * {@code batch.endPosition()}.
     *
     * <p>Thread-safety: any thread; serialized with other appends. Buffers: bodies stay the caller's (copied).
     *
     * @throws IllegalArgumentException a record's index is not {@code lastIndex() + 1} (+ its offset in the batch),
     *                                  an index is negative, type 0xFF, or an empty batch
     * @throws RecordTooLargeException  a record exceeds recordBytesMax (checked before anything is written)
     * @throws DiskFullException        no space; the log is unchanged and appends work again once space returns
     * @throws StorageFailedException   device error, or the log is fenced by an earlier failed force
     */
    public void append(AppendBatch batch) {
        appender.check(batch);
        appender.append(batch);
        flusher.appended();
    }

    /**
     * Appends the batch with indices chosen by the log, coalesced with concurrent calls: the records get
     * consecutive indices from {@code lastIndex() + 1} in the order the calls reach the log's queue; the index passed
     * to {@link AppendBatch#add} is ignored and overwritten. Returns once the batch is written and, in SYNC mode,
     * durable; then {@code batch.index(i)}, {@code batch.position(i)} and {@code batch.endPosition()} are set.
     *
     * <p><b>SYNC mode</b> (group commit): the call queues the batch and parks; each flush-agent cycle writes every
     * queued batch as one all-or-nothing group, forces once and wakes exactly its callers ({@link GroupCommitFlusher};
     * docs/storage.md, "CommitLog: two ways to append"). <b>ASYNC and MANUAL modes</b>: no queue; the call appends
     * directly under the append lock (like {@link #append}) and returns once written, not durable.
     *
     * <p>Mixing with {@link #append} (caller-chosen indices) on one log is safe: both are serialized by the append
     * lock, so an {@code append} must still carry {@code lastIndex() + 1} at the moment it runs. A
     * {@link #truncateFrom} or {@link #resetTo} never splits a cycle's write from its force.
     *
     * <p>Thread-safety: any thread; the batch belongs to the log until the call returns (see
     * {@link AppendBatch#inFlight()}). Allocates nothing on success.
     *
     * @param timeoutNs how long to wait; a batch still queued at the deadline is cancelled (nothing written); one the
     *                  agent already claimed is waited for up to timeoutNs more (it is being written and forced)
     * @throws IllegalArgumentException as {@link #append}, or timeoutNs <= 0
     * @throws IllegalStateException    the batch is already in flight, or {@link #COALESCED_QUEUED_MAX} (or
     *                                  durableWaitersMax) batches are queued
     * @throws RecordTooLargeException  a record exceeds recordBytesMax (nothing queued)
     * @throws DurableTimeoutException  not completed in time; its message says whether anything was written
     * @throws DiskFullException        no space: the cycle wrote nothing; appends work again once space returns
     * @throws StorageFailedException   device error, or the log is fenced (a failed force also fences it)
     */
    public void appendCoalesced(AppendBatch batch, long timeoutNs) {
        appender.check(batch);
        Verify.argument(timeoutNs > 0, "timeoutNs must be positive");
        if (flusher.queues()) {
            flusher.appendQueued(batch, timeoutNs);
        } else {
            appender.appendAssigningIndices(batch);
        }
    }

    // -------------------------------------------------------------------------------------------------- read

    /**
     * Copies whole records that start at {@code position} into {@code dst} (at most dst.remaining() bytes), never
     * beyond the readable end. Fillers are not copied: a position at a filler or segment tail moves to the next
     * segment first. Each copied record's crc is verified. Returns the position of the first copied record (records
     * are back to back from there; the next read starts at that + bytes copied), or the readable end if none.
     *
     * <p>Any thread, lock-free. Buffer: {@code dst} is the caller's; its position advances by the bytes copied.
     *
     * @throws LogTruncatedException    position before {@link #startPosition()}
     * @throws IllegalArgumentException position beyond the readable end, or dst too small for the first record
     * @throws CorruptLogException      a record fails its crc
     */
    public long read(long position, ByteBuffer dst) {
        return reader.read(position, dst, Long.MAX_VALUE, true);
    }

    /**
     * As {@link #read}, except that a first record longer than {@code dst.remaining()} is not an error: nothing is
     * copied and that record's position is returned. For readers that size {@code dst} to the bytes they need
     * (the dispatcher reads up to a committed end, not a whole chunk, so that dispatching one record costs one
     * record's read and crc check).
     */
    public long readFitting(long position, ByteBuffer dst) {
        return reader.read(position, dst, Long.MAX_VALUE, false);
    }

    /**
     * Copies the log bytes [position, position + dst.remaining()) into {@code dst} as they are: no record framing
     * and no crc check, so the caller verifies what it reads (e.g. a stored message checks its own offsets). For
     * readers that know where a piece of a record lies (a message inside a record body) and want it with one copy.
     * The range must lie below the readable end and inside one segment; a part of one record always does.
     *
     * <p>Any thread, lock-free; the segment is retained for the call, so retention racing the read either makes it
     * fail with LogTruncatedException or lets it finish on the still-open file (bytes below the readable end are
     * never rewritten). Buffer: {@code dst} is the caller's; its position advances to its limit.
     *
     * @throws LogTruncatedException    position before {@link #startPosition()}, or its segment deleted meanwhile
     * @throws IllegalArgumentException the range is empty, ends beyond the readable end or crosses a segment end
     * @throws StorageFailedException   the device failed
     */
    public void readRange(long position, ByteBuffer dst) {
        reader.readRange(position, dst);
    }

    /**
     * Copies the records with index in [lo, hi) that fit in {@code dst} (whole records, in order, at least one
     * unless lo > lastIndex) and returns how many were copied. Any thread, lock-free; dst is the caller's.
     *
     * @throws LogTruncatedException    lo < firstIndex()
     * @throws IllegalArgumentException dst cannot hold the record at lo
     * @throws CorruptLogException      a record fails its crc or the index file disagrees with the log
     */
    public int entries(long lo, long hi, ByteBuffer dst) {
        return reader.entries(lo, hi, dst);
    }

    /**
     * Term of the record with {@code index}. Any thread, lock-free.
     *
     * @throws LogTruncatedException    index < firstIndex()
     * @throws IllegalArgumentException index > lastIndex()
     * @throws CorruptLogException      the index unit is damaged (recovery would rebuild it)
     */
    public long term(long index) {
        return reader.unit(index, false);
    }

    /** Absolute position of the record with {@code index}; errors as {@link #term(long)}. Any thread. */
    public long position(long index) {
        return reader.unit(index, true);
    }

    /**
     * The chain link ({@link RecordHeader} prevCrc) that record {@code index} carries, or for
     * {@code lastIndex() + 1} the one the next record will carry: the crc of record {@code index - 1} (0 at the
     * start of a brand-new log). What a snapshot install needs to continue another member's chain. Any thread.
     *
     * @throws LogTruncatedException    index < firstIndex()
     * @throws IllegalArgumentException index > lastIndex() + 1
     */
    public int prevCrcOf(long index) {
        locks.append().lock();
        try {
            if (index == writer.nextIndex()) {
                return writer.lastCrc();
            }
        } finally {
            locks.append().unlock();
        }
        ByteBuffer header = ByteBuffer.allocate(RecordHeader.HEADER_LENGTH);
        long at = position(index);
        reader.readRange(at, header);
        Verify.state(RecordHeader.index(header, 0) == index, "record header index differs from the index file",
            RecordHeader.index(header, 0), index);
        return RecordHeader.prevCrc(header, 0);
    }

    /** Index of the first retained record (or of the next record, if empty). Any thread. */
    public long firstIndex() {
        return tail.firstIndex();
    }

    /** Index of the last record; {@code firstIndex() - 1} when empty. Any thread. */
    public long lastIndex() {
        return tail.lastIndex();
    }

    /** Position of the first retained record (or of the next one, if empty). Any thread. */
    public long startPosition() {
        return tail.startPosition();
    }

    /**
     * Reads served from the newest bytes kept in memory instead of the segment files, since the log was opened (a
     * metric: the rest went to the files). Any thread.
     */
    public long readsFromMemory() {
        return recent.hits();
    }

    /** End of the last readable record: everything in [startPosition, endPosition) is readable. Any thread. */
    public long endPosition() {
        return tail.readablePosition();
    }

    public CommitLogConfig config() {
        return config;
    }

    // ----------------------------------------------------------------------------------- truncate and reset

    /**
     * Removes every record with index >= {@code index} (Raft conflict resolution). Durable on return: the removed
     * bytes are zeroed, later segments deleted, and everything before is forced, so a crash cannot resurrect them.
     * The next append must carry {@code index}. Any thread; serialized with appends (blocks them meanwhile).
     *
     * @throws IllegalArgumentException index outside [firstIndex, lastIndex + 1]
     * @throws StorageFailedException   device failure (the log is fenced)
     */
    public void truncateFrom(long index) {
        truncator.truncateFrom(index);
    }

    /**
     * Discards the whole log and starts over: the next record gets {@code nextIndex} at {@code nextPosition}
     * (after a snapshot install; pass the leader's position so positions stay identical across the group). Durable
     * on return. Any thread; serialized with appends. The stamper sees {@code truncated(old startPosition())}.
     * Atomic across a crash or an I/O error: its first step writes a checkpoint of the empty log at the new start
     * (docs/storage.md, "A reset of the whole log"), so a reopen finds either the old log, whole, or the empty log at
     * the new start, never old segments the checkpoint does not cover; the caller (snapshot install) checks the log
     * against its snapshot on restart and repeats the reset if it finds the old log.
     *
     * @throws IllegalArgumentException negative index or position
     * @throws DiskFullException        no space for the new segment
     * @throws StorageFailedException   device failure (the log is fenced)
     */
    public void resetTo(long nextIndex, long nextPosition) {
        truncator.resetTo(nextIndex, nextPosition, 0);
    }

    /**
     * As {@link #resetTo(long, long)}, and the next record's prevCrc link is {@code prevCrc}: a member that installs
     * a snapshot passes the crc of the leader's record {@code nextIndex - 1}, so the records it then receives are
     * byte-identical to the leader's, chain link included (see {@link RecordHeader}). The segment holding
     * {@code nextPosition} is created (named by its base, zeros before the position); the checkpoint keeps the
     * new start, so a reopen of the still empty log finds it.
     */
    public void resetTo(long nextIndex, long nextPosition, int prevCrc) {
        truncator.resetTo(nextIndex, nextPosition, prevCrc);
    }

    // ----------------------------------------------------------------------------------------- durability

    /**
     * Forces everything appended so far and returns once it is durable (and, in MANUAL mode, writes a checkpoint).
     * Any thread.
     *
     * @throws StorageFailedException the force failed (the log is fenced)
     */
    public void flush() {
        forcer.forcePending();
        if (config.flushMode() == FlushMode.MANUAL) {
            checkpointer.checkpoint();
        }
        CommitLogException f = fence.failure();
        if (f != null) {
            throw f;
        }
    }

    /** Group-commit counters since open (benchmarks, diagnostics). Any thread, racy. */
    public ForceStats forceStats() {
        return new ForceStats(forcer.forceCount(), forcer.forceNanos(), flusher.cycleCount(), flusher.cycleBatches(),
            flusher.wakeNanos());
    }

    /**
     * Tells {@code observer} (null: nobody) the records and duration of every group-commit force from now on, on the
     * forcing thread under the force lock (metrics, docs/metrics.md "Storage"): it must be cheap, must not block and
     * must not call into this log. Any thread.
     */
    public void setForceObserver(ForceObserver observer) {
        forcer.observe(observer);
    }

    /** Segment files the log has now (retained ones and the one written; 0 before the first append). Any thread. */
    public int segmentCount() {
        return segments.all().length;
    }

    /** Everything before this position is durable. Any thread, lock-free. */
    public long durablePosition() {
        return groupCommit.durablePosition();
    }

    /**
     * Blocks the calling thread until {@code position} (typically {@code batch.endPosition()}) is durable.
     *
     * @throws DurableTimeoutException not durable within {@code timeoutNs}
     * @throws StorageFailedException  the log failed
     */
    public void awaitDurable(long position, long timeoutNs) {
        groupCommit.awaitDurable(position, timeoutNs);
    }

    /**
     * Non-blocking: calls {@code listener} once {@code position} is durable (on the flush agent's thread, or at once
     * on this thread if it already is). See {@link DurableListener} for the failure path.
     *
     * @throws IllegalStateException more than durableWaitersMax parties waiting
     */
    public void whenDurable(long position, DurableListener listener) {
        groupCommit.whenDurable(position, listener);
    }

    // ------------------------------------------------------------------------------------------ retention

    /**
     * Deletes whole old segments (and their index segments) whose last record is older than retentionAgeMs, or
     * oldest-first while the device is fuller than diskUsageRatioMax; never a segment holding a record with index
     * >= {@code floorIndex} and never the active segment. Files are closed (unmapped) before deletion. Returns the
     * number of segments deleted. Any thread; serialized with appends.
     *
     * @param floorIndex lowest index that Raft and consumers still need
     * @param nowMs      the caller's clock, compared with record store timestamps
     */
    public int deleteExpired(long floorIndex, long nowMs) {
        return retention.deleteExpired(floorIndex, nowMs);
    }

    /**
     * Deletes every whole segment (and its index segments) holding only records with index {@code < keepIndex},
     * oldest first, never the active segment: for a caller that decided itself what may go (the broker's retention
     * in Raft mode, docs/snapshots.md). Files are closed (unmapped) before deletion; the new start is checkpointed.
     * Returns the number of segments deleted. Any thread; serialized with appends.
     *
     * @throws StorageFailedException device failure (the log is fenced)
     */
    public int deleteSegmentsBefore(long keepIndex) {
        return retention.deleteBefore(keepIndex);
    }

    /**
     * The sealed segments (all but the active one), oldest first, at most {@code max}: what a retention policy chooses
     * from. Any thread, lock-free; a deletion or truncation racing the call may shorten the list.
     */
    public List<SegmentSpan> sealedSegments(int max) {
        Verify.argument(max >= 0, "max must be >= 0");
        return retention.sealed(max);
    }

    // ---------------------------------------------------------------------------------------------- close

    /**
     * Stops the flush agent, forces everything, writes a clean checkpoint and closes all files. Waiters still
     * pending fail. Idempotent; call once no other thread uses the log.
     */
    @Override
    public void close() {
        if (fence.isClosed()) {
            return;
        }
        try {
            flusher.stop();
            if (preallocator != null) {
                preallocator.stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        locks.lockBoth();
        try {
            if (fence.failure() == null) {
                forcer.forceAllLocked();
                index.force(tail.firstIndex(), writer.nextIndex());
                checkpointer.writeLocked(true);
            }
        } catch (IOException e) {
            LOG.warn("close of {} could not force; recovery will scan the tail", config.directory(), e);
        } finally {
            flusher.failQueued(fence.markClosed());
            locks.unlockBoth();
            closeFiles();
        }
    }

    /**
     * Closes the log as a killed process leaves it: no force and no checkpoint; written bytes stay where the
     * operating system has them (the page cache), and the next open recovers from the last checkpoint written
     * before. Waiters still pending fail. For crash tests and benchmarks; idempotent.
     */
    public void closeAbruptly() {
        if (fence.isClosed()) {
            return;
        }
        locks.lockBoth();
        try {
            flusher.failQueued(fence.markClosed());
        } finally {
            locks.unlockBoth();
        }
        try {
            flusher.stop();
            if (preallocator != null) {
                preallocator.stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeFiles();
    }

    private void closeFiles() {
        segments.closeAll();
        index.close();
    }

    // ------------------------------------------------------------------------------------------- internals

    SegmentList segments() {
        return segments;
    }

    /** Coalesced appends queued for the flush agent (0 outside SYNC mode; tests, diagnostics). Any thread. */
    int coalescedQueued() {
        return flusher.queued();
    }

    /** The preallocator, or null when off (tests, diagnostics). */
    Preallocator preallocator() {
        return preallocator;
    }

    /** The preallocator's view of the log. */
    private final class PreallocatorHost implements Preallocator.Host {
        @Override
        public long writePosition() {
            return tail.readablePosition();
        }

        @Override
        public ReentrantLock appendLock() {
            return locks.append();
        }

        @Override
        public boolean usable() {
            return fence.usable();
        }
    }
}
