package io.raftmq.commitlog;

import io.raftmq.commitlog.error.CommitLogException;
import io.raftmq.commitlog.error.DiskFullException;
import io.raftmq.commitlog.error.RecordTooLargeException;
import io.raftmq.commitlog.error.StorageFailedException;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.flush.DurableListener;
import io.raftmq.commitlog.flush.FlushAgent;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.flush.GroupCommit;
import io.raftmq.commitlog.index.IndexStore;
import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.commitlog.io.NoSpaceException;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.recovery.Checkpoint;
import io.raftmq.commitlog.recovery.LogRecovery;
import io.raftmq.commitlog.retention.Retention;
import io.raftmq.commitlog.segment.Preallocator;
import io.raftmq.commitlog.segment.Segment;
import io.raftmq.commitlog.segment.SegmentList;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
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
 */
public final class CommitLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommitLog.class);
    /** Bound on coalesced appends queued at once (one per waiting thread); also bounded by durableWaitersMax. */
    public static final int COALESCED_QUEUED_MAX = 4096;

    private final CommitLogConfig config;
    private final StorageProvider storage;
    private final RecordStamper stamper;
    private final SegmentList segments;
    private final IndexStore index;
    private final GroupCommit groupCommit;
    private final FlushAgent agent;
    /** Coalesced appends waiting for the flush agent (SYNC mode), else null. */
    private final AppendQueue appendQueue;
    /** The batches of the agent's current group-commit cycle (agent thread, or close after the agent stopped). */
    private final AppendBatch[] cycle;
    /**
     * Zero-fills ahead of the writer (CHANNEL mode with preallocateAheadBytes > 0), else null. Its thread runs
     * with the flush agent (SYNC/ASYNC); in MANUAL mode, which starts no thread, tests drive it by hand.
     */
    private final Preallocator preallocator;
    private final Path checkpointPath;
    private final ReentrantLock appendLock = new ReentrantLock();
    /** Held while forcing/checkpointing; taken after appendLock when both are needed, never the other way. */
    private final ReentrantLock forceLock = new ReentrantLock();
    private final ThreadLocal<CRC32C> readCrc = ThreadLocal.withInitial(CRC32C::new);
    private final LogReader reader = new LogReader(this);

    /** The tail: write position, next index, crc chain. Guarded by appendLock. */
    private final LogWriter writer;
    /**
     * Bumped (under both locks) by truncation and reset, so a force snapshot taken before one is discarded.
     * Invariant: every byte below the durable position is forced, and earlier segments than the one holding the
     * write position are entirely forced (see roll()), so forcing [durable, readable) covers all unforced data.
     */
    private volatile long tailEpoch;
    /**
     * Sequence lock over the force snapshot (readablePosition, tailNextIndex, tailCrc, tailEpoch), so the flush
     * path reads a consistent tail without taking the contended appendLock: odd while a holder of appendLock
     * changes them. {@link #forcePending} falls back to the lock when it sees a change in progress.
     */
    private volatile long tailSeq;
    private volatile long tailNextIndex;
    private volatile int tailCrc;

    // Last force snapshot (guarded by forceLock): all log bytes before forcedPosition are durable.
    private long forcedPosition;
    private long forcedNextIndex;
    private int forcedPrevCrc;
    private Checkpoint lastCheckpoint;
    /** Statistics, written under forceLock, read racily by {@link #forceStats()}. */
    private volatile long forceCount;
    private volatile long forceNanos;
    /** Coalesced-append statistics, written by the flush agent only, read racily by {@link #forceStats()}. */
    private volatile long cycleCount;
    private volatile long cycleBatches;
    private volatile long wakeNanos;

    // Published to readers. Invariant: startPosition <= readablePosition; lastIndex == firstIndex - 1 when empty.
    private volatile long readablePosition;
    private volatile long lastIndex;
    private volatile long firstIndex;
    private volatile long startPosition;
    private volatile boolean closed;

    private CommitLog(CommitLogConfig config, RecordStamper stamper, StorageProvider storage) {
        this.config = config;
        this.stamper = stamper;
        this.storage = storage;
        Path dir = config.directory();
        this.segments = new SegmentList(storage, dir.resolve("log"), "", config.segmentBytes(), 1);
        int stagedUnits = Math.max(1024, config.writeBufferBytes() / RecordHeader.HEADER_LENGTH + 1);
        this.index = new IndexStore(storage, dir.resolve("index"), config.indexUnitsPerSegment(), stagedUnits);
        this.checkpointPath = dir.resolve("checkpoint");
        this.preallocator = config.preallocateAheadBytes() > 0 && config.ioMode() == IoMode.CHANNEL
            ? new Preallocator(new PreallocatorHost(), segments, config.preallocateAheadBytes()) : null;
        this.writer = new LogWriter(config, segments, index, this.stamper, preallocator);
        this.groupCommit = new GroupCommit(config.durableWaitersMax(), 0);
        this.agent = config.flushMode() == FlushMode.MANUAL ? null
            : new FlushAgent(new AgentTarget(), config.flushMode(), config.flushIntervalMs(),
                config.checkpointIntervalMs(), System.nanoTime());
        int queuedMax = Math.min(config.durableWaitersMax(), COALESCED_QUEUED_MAX);
        this.appendQueue = config.flushMode() == FlushMode.SYNC ? new AppendQueue(queuedMax, groupCommit) : null;
        this.cycle = appendQueue == null ? null : new AppendBatch[queuedMax];
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
     * @throws CorruptLogException    damage that is not a torn tail (names file and offset); nothing was changed
     * @throws StorageFailedException the device failed, or the segment size differs from the one on disk
     * @throws DiskFullException      repairing the tail needed space that is not there
     */
    public static CommitLog open(CommitLogConfig config, RecordStamper stamper, StorageProvider storage) {
        CommitLog log = new CommitLog(config, stamper == null ? RecordStamper.NONE : stamper, storage);
        try {
            log.recover();
        } catch (IOException e) {
            log.closeFiles();
            throw log.ioError("open " + config.directory(), e);
        } catch (RuntimeException e) {
            log.closeFiles();
            throw e;
        }
        if (log.agent != null) {
            log.agent.start("commitlog-flush-" + config.directory().getFileName());
        }
        if (log.preallocator != null && log.agent != null) {
            log.preallocator.start("commitlog-prealloc-" + config.directory().getFileName());
        }
        return log;
    }

    private void recover() throws IOException {
        storage.createDirectories(config.directory());
        segments.load();
        index.load();
        Checkpoint cp = Checkpoint.decode(storage.readAll(checkpointPath));
        if (cp != null && cp.segmentBytes() != config.segmentBytes()) {
            throw new StorageFailedException("segmentBytes " + config.segmentBytes() + " differs from "
                + cp.segmentBytes() + " the log in " + config.directory() + " was written with", null);
        }
        LogRecovery.Result r = new LogRecovery(config.recordBytesMax(), segments, index, storage).recover(cp);
        writer.reset(r.endPosition(), r.nextIndex(), r.lastCrc());
        startPosition = r.startPosition();
        firstIndex = r.firstIndex();
        lastIndex = writer.nextIndex() - 1;
        beginTailChange();
        readablePosition = writer.writePosition();
        endTailChange();
        forcedPosition = writer.writePosition();
        forcedNextIndex = writer.nextIndex();
        forcedPrevCrc = writer.lastCrc();
        groupCommit.reset(0);
        groupCommit.advance(writer.writePosition());
        // Replace a clean-close checkpoint at once: recovery trusts "clean" only until the log is written again.
        writeCheckpoint(false);
        LOG.info("commit log {} open: positions [{}, {}), indices [{}, {}]", config.directory(), startPosition,
            writer.writePosition(), firstIndex, lastIndex);
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
        checkRecords(batch);
        appendLock.lock();
        try {
            ensureUsable();
            appendLocked(batch);
        } finally {
            appendLock.unlock();
        }
        if (agent != null && config.flushMode() == FlushMode.SYNC) {
            agent.wake();
        }
    }

    private void checkRecords(AppendBatch batch) {
        int n = batch.size();
        Verify.argument(n > 0, "empty append batch");
        for (int i = 0; i < n; i++) {
            long length = (long) RecordHeader.HEADER_LENGTH + batch.body(i).remaining();
            if (length > config.recordBytesMax()) {
                throw new RecordTooLargeException(length, config.recordBytesMax());
            }
            Verify.argument(batch.type(i) != RecordHeader.TYPE_FILLER, "entry type 0xFF is reserved");
        }
    }

    private void appendLocked(AppendBatch batch) {
        Verify.argument(batch.index(0) == writer.nextIndex(), "append index must be lastIndex + 1");
        try {
            writer.append(batch);
        } catch (IOException e) {
            throw ioError("append at " + writer.writePosition(), e);
        }
        batch.setEndPosition(writer.writePosition());
        publishTail();
    }

    /** Caller holds appendLock: publishes the writer's new records to readers and to the force snapshot. */
    private void publishTail() {
        beginTailChange();
        lastIndex = writer.nextIndex() - 1;
        readablePosition = writer.writePosition();
        endTailChange();
    }

    /**
     * Appends the batch with indices chosen by the log, coalesced with concurrent calls: the records get
     * consecutive indices from {@code lastIndex() + 1} in the order the calls reach the log's queue; the index passed
     * to {@link AppendBatch#add} is ignored and overwritten. Returns once the batch is written and, in SYNC mode,
     * durable; then {@code batch.index(i)}, {@code batch.position(i)} and {@code batch.endPosition()} are set.
     *
     * <p><b>SYNC mode</b> (group commit): the call pushes the batch onto a lock-free queue, wakes the flush agent and
     * parks. Each agent cycle takes every queued batch, writes them all under the append lock with one staged write
     * per segment and one index write, forces once, then wakes exactly the callers of that cycle; appends queued
     * during the force ride the next cycle. A cycle is all-or-nothing: if its write fails, every batch of it fails
     * with the same exception and nothing of it stays in the log. <b>ASYNC and MANUAL modes</b>: no queue; the call
     * appends directly under the append lock (like {@link #append}) and returns once written, not durable.
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
        checkRecords(batch);
        Verify.argument(timeoutNs > 0, "timeoutNs must be positive");
        if (appendQueue == null) {
            appendLock.lock();
            try {
                ensureUsable();
                batch.assignIndices(writer.nextIndex());
                appendLocked(batch);
            } finally {
                appendLock.unlock();
            }
            return;
        }
        ensureUsable();
        long deadlineNs = System.nanoTime() + timeoutNs;
        appendQueue.submit(batch, deadlineNs);
        agent.wake();
        appendQueue.await(batch, deadlineNs, timeoutNs);
    }

    /** Caller holds appendLock; pairs with {@link #endTailChange()}. */
    private void beginTailChange() {
        tailSeq = tailSeq + 1;
    }

    /** Caller holds appendLock: closes a tail change that an exception interrupted. */
    private void endTailChangeIfOpen() {
        if ((tailSeq & 1) != 0) {
            endTailChange();
        }
    }

    /** Caller holds appendLock: publishes the writer's tail to the force snapshot. */
    private void endTailChange() {
        tailNextIndex = writer.nextIndex();
        tailCrc = writer.lastCrc();
        tailSeq = tailSeq + 1;
        Verify.state((tailSeq & 1) == 0, "unpaired tail change", tailSeq);
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
        return LogReader.unit(this, index, false);
    }

    /** Absolute position of the record with {@code index}; errors as {@link #term(long)}. Any thread. */
    public long position(long index) {
        return LogReader.unit(this, index, true);
    }

    /** Index of the first retained record (or of the next record, if empty). Any thread. */
    public long firstIndex() {
        return firstIndex;
    }

    /** Index of the last record; {@code firstIndex() - 1} when empty. Any thread. */
    public long lastIndex() {
        return lastIndex;
    }

    /** Position of the first retained record (or of the next one, if empty). Any thread. */
    public long startPosition() {
        return startPosition;
    }

    /** End of the last readable record: everything in [startPosition, endPosition) is readable. Any thread. */
    public long endPosition() {
        return readablePosition;
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
        appendLock.lock();
        forceLock.lock();
        try {
            ensureUsable();
            Verify.argument(index >= firstIndex && index <= writer.nextIndex(), "truncateFrom index outside log");
            if (index == writer.nextIndex()) {
                return;
            }
            truncateLocked(index);
        } catch (IOException e) {
            throw fence("truncateFrom " + index, e);
        } finally {
            endTailChangeIfOpen();
            forceLock.unlock();
            appendLock.unlock();
        }
    }

    private void truncateLocked(long index) throws IOException {
        long pos = LogReader.unit(this, index, true);
        ByteBuffer header = ByteBuffer.allocate(RecordHeader.HEADER_LENGTH);
        Segment seg = segments.find(pos);
        seg.file().read(pos - seg.base(), header);
        Verify.state(RecordHeader.index(header, 0) == index, "index file disagrees with log", index,
            RecordHeader.index(header, 0));
        int prevCrc = RecordHeader.prevCrc(header, 0);
        beginTailChange();
        lastIndex = index - 1;
        readablePosition = pos;
        if (!writer.zeroRange(pos, Math.min(writer.writePosition(), seg.end()))) {
            throw new IOException("could not zero the truncated bytes from " + pos + " in " + seg);
        }
        segments.removeFrom(seg.end());
        this.index.removeFrom(index);
        writer.reset(pos, index, prevCrc);
        tailEpoch++;
        endTailChange();
        groupCommit.reset(pos);
        forceAllLocked();
        stamper.truncated(pos);
        writeCheckpoint(false);
    }

    /**
     * Discards the whole log and starts over: the next record gets {@code nextIndex} at {@code nextPosition}
     * (after a snapshot install; pass the leader's position so positions stay identical across the group). Durable
     * on return. Any thread; serialized with appends. The stamper sees {@code truncated(old startPosition())}.
     * Not atomic across a crash: a crash during resetTo may leave an empty log at the old or the new start, so the
     * caller (snapshot install) checks the log against its snapshot on restart and repeats the reset if needed.
     *
     * @throws IllegalArgumentException negative index or position
     * @throws DiskFullException        no space for the new segment
     * @throws StorageFailedException   device failure (the log is fenced)
     */
    public void resetTo(long nextIndex, long nextPosition) {
        Verify.argument(nextIndex >= 0 && nextPosition >= 0, "resetTo needs index >= 0 and position >= 0");
        appendLock.lock();
        forceLock.lock();
        try {
            ensureUsable();
            long oldStart = startPosition;
            beginTailChange();
            lastIndex = nextIndex - 1;
            firstIndex = nextIndex;
            startPosition = nextPosition;
            readablePosition = nextPosition;
            segments.removeFrom(Long.MIN_VALUE);
            index.removeAll();
            segments.getOrCreate(segments.baseOf(nextPosition));
            writer.reset(nextPosition, nextIndex, 0);
            tailEpoch++;
            endTailChange();
            groupCommit.reset(nextPosition);
            forcedPosition = nextPosition;
            forcedNextIndex = nextIndex;
            forcedPrevCrc = 0;
            groupCommit.advance(nextPosition);
            stamper.truncated(oldStart);
            writeCheckpoint(false);
        } catch (IOException e) {
            throw ioError("resetTo " + nextIndex, e);
        } finally {
            endTailChangeIfOpen();
            forceLock.unlock();
            appendLock.unlock();
        }
    }

    // ----------------------------------------------------------------------------------------- durability

    /**
     * Forces everything appended so far and returns once it is durable (and, in MANUAL mode, writes a checkpoint).
     * Any thread.
     *
     * @throws StorageFailedException the force failed (the log is fenced)
     */
    public void flush() {
        forcePending();
        if (config.flushMode() == FlushMode.MANUAL) {
            checkpoint();
        }
        CommitLogException f = groupCommit.failure();
        if (f != null) {
            throw f;
        }
    }

    /**
     * Diagnostics: {count of group-commit forces, total nanoseconds spent in them, coalesced-append cycles, batches
     * they completed, nanoseconds the flush agent spent completing and waking them}. Any thread, racy.
     */
    public long[] forceStats() {
        return new long[] {forceCount, forceNanos, cycleCount, cycleBatches, wakeNanos};
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

    /**
     * Forces what was appended so far and advances the durable position. Flush agent or {@link #flush()}.
     * The tail snapshot is read lock-free through the {@code tailSeq} sequence lock (under appendLock only while a
     * change is in progress), then forceLock is taken; a truncation or reset in between (which forces by itself)
     * bumps {@code tailEpoch} and makes this call a no-op.
     */
    void forcePending() {
        long seq = tailSeq;
        long target = readablePosition;
        long snapIndex = tailNextIndex;
        int snapCrc = tailCrc;
        long epoch = tailEpoch;
        if ((seq & 1) != 0 || seq != tailSeq) {
            appendLock.lock();
            try {
                target = readablePosition;
                snapIndex = lastIndex + 1;
                snapCrc = writer.lastCrc();
                epoch = tailEpoch;
            } finally {
                appendLock.unlock();
            }
        }
        forceTo(target, snapIndex, snapCrc, epoch);
    }

    /** Forces [durable, target) unless the snapshot is stale or the log failed; fences on an I/O error. */
    private void forceTo(long target, long snapIndex, int snapCrc, long epoch) {
        forceLock.lock();
        try {
            long from = groupCommit.durablePosition();
            if (groupCommit.failure() != null || epoch != tailEpoch || target <= from) {
                return;
            }
            long t0 = System.nanoTime();
            forceSegments(from, target);
            forceNanos += System.nanoTime() - t0;
            forceCount++;
            forcedPosition = target;
            forcedNextIndex = snapIndex;
            forcedPrevCrc = snapCrc;
            groupCommit.advance(target);
        } catch (IOException e) {
            fence("force", e);
        } finally {
            forceLock.unlock();
        }
    }

    /**
     * One group-commit cycle of the flush agent (SYNC mode): claims every queued coalesced append, writes them as
     * one group, forces, and completes them (all DONE, or all FAILED with the same exception). With nothing queued it
     * just forces what {@link #append} wrote. Agent thread only.
     */
    private void commitCycle() {
        int n = appendQueue.claim(cycle);
        if (n == 0) {
            forcePending();
            return;
        }
        CommitLogException failure = null;
        boolean finished = false;
        try {
            failure = writeAndForceCycle(n);
            finished = true;
        } finally {
            // A bug thrown out of the cycle still completes its waiters (the agent then fences the log).
            long t0 = System.nanoTime();
            AppendQueue.complete(cycle, n, finished ? failure
                : new StorageFailedException("flush agent failed during a group commit", null));
            wakeNanos += System.nanoTime() - t0;
            cycleBatches += n;
            cycleCount++;
        }
    }

    /**
     * Writes the n claimed batches and forces them; returns null on success, else the failure of the whole cycle.
     * The force lock is taken before the append lock is released, so no truncation or reset (they need both) can
     * slip between the write and the force: after a successful force every batch of the cycle is durable.
     */
    private CommitLogException writeAndForceCycle(int n) {
        long target;
        long snapIndex;
        int snapCrc;
        long epoch;
        appendLock.lock();
        try {
            ensureUsable();
            writeCycleLocked(n);
            target = readablePosition;
            snapIndex = writer.nextIndex();
            snapCrc = writer.lastCrc();
            epoch = tailEpoch;
            forceLock.lock();
        } catch (CommitLogException e) {
            return e;
        } finally {
            appendLock.unlock();
        }
        try {
            forceTo(target, snapIndex, snapCrc, epoch);
            CommitLogException f = groupCommit.failure();
            if (f == null) {
                Verify.state(groupCommit.durablePosition() >= target, "group commit cycle not durable", target,
                    groupCommit.durablePosition());
            }
            return f;
        } finally {
            forceLock.unlock();
        }
    }

    /** Caller holds appendLock: assigns indices and writes the cycle's batches all-or-nothing, then publishes. */
    private void writeCycleLocked(int n) {
        writer.begin();
        boolean ok = false;
        try {
            for (int i = 0; i < n; i++) {
                AppendBatch b = cycle[i];
                b.assignIndices(writer.nextIndex());
                writer.add(b);
                b.setEndPosition(writer.writePosition());
            }
            writer.commit();
            ok = true;
        } catch (IOException e) {
            throw ioError("coalesced append of " + n + " batch(es) at " + writer.groupStartPosition(), e);
        } finally {
            if (!ok) {
                writer.rollback();
            }
        }
        publishTail();
    }

    private void forceSegments(long from, long to) throws IOException {
        for (Segment seg : segments.all()) {
            if (seg.end() > from && seg.base() < to && seg.retain()) {
                try {
                    seg.file().force();
                } finally {
                    seg.release();
                }
            }
        }
    }

    /** Forces everything (caller holds both locks). */
    private void forceAllLocked() throws IOException {
        forceSegments(Math.min(groupCommit.durablePosition(), writer.writePosition()), Long.MAX_VALUE);
        forcedPosition = writer.writePosition();
        forcedNextIndex = writer.nextIndex();
        forcedPrevCrc = writer.lastCrc();
        if (writer.writePosition() > groupCommit.durablePosition()) {
            groupCommit.advance(writer.writePosition());
        }
    }

    /** Writes a checkpoint for the last force snapshot, after forcing the index units it covers. */
    void checkpoint() {
        forceLock.lock();
        try {
            if (groupCommit.failure() == null && !closed) {
                writeCheckpoint(false);
            }
        } catch (IOException e) {
            LOG.warn("checkpoint of {} failed; recovery will scan from the previous one", config.directory(), e);
        } finally {
            forceLock.unlock();
        }
    }

    /** Caller holds forceLock. */
    private void writeCheckpoint(boolean clean) throws IOException {
        Checkpoint cp = new Checkpoint(config.segmentBytes(), startPosition, forcedPosition, forcedNextIndex,
            forcedPrevCrc, clean, firstIndex);
        if (cp.equals(lastCheckpoint)) {
            return;
        }
        long from = lastCheckpoint == null ? firstIndex : Math.min(lastCheckpoint.nextIndex(), forcedNextIndex);
        index.force(Math.max(firstIndex, from), forcedNextIndex);
        storage.writeAtomically(checkpointPath, cp.encode());
        lastCheckpoint = cp;
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
        Retention policy = new Retention(config.retentionAgeMs(), config.diskUsageRatioMax());
        appendLock.lock();
        forceLock.lock();
        try {
            ensureUsable();
            int deleted = 0;
            for (Segment[] segs = segments.all(); segs.length >= 2; segs = segments.all()) {
                long nextFirst = reader.indexAt(segs[1].base());
                if (nextFirst < 0 || nextFirst > Math.min(floorIndex, writer.nextIndex())) {
                    break;
                }
                long lastTs = nextFirst - 1 >= firstIndex ? reader.timestampOf(nextFirst - 1) : Long.MIN_VALUE;
                if (!policy.shouldDelete(lastTs, nowMs, storage.usageRatio(segments.dir()))) {
                    break;
                }
                startPosition = segs[1].base();
                firstIndex = nextFirst;
                segments.removeBefore(segs[1].base());
                index.removeBefore(nextFirst);
                deleted++;
            }
            if (deleted > 0) {
                writeCheckpoint(false);
                LOG.info("retention deleted {} segment(s) of {}; log now starts at {} (index {})", deleted,
                    config.directory(), startPosition, firstIndex);
            }
            return deleted;
        } catch (IOException e) {
            throw ioError("retention", e);
        } finally {
            forceLock.unlock();
            appendLock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------- close

    /**
     * Stops the flush agent, forces everything, writes a clean checkpoint and closes all files. Waiters still
     * pending fail. Idempotent; call once no other thread uses the log.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            if (agent != null) {
                agent.stop();
            }
            if (preallocator != null) {
                preallocator.stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        appendLock.lock();
        forceLock.lock();
        try {
            if (groupCommit.failure() == null) {
                forceAllLocked();
                index.force(firstIndex, writer.nextIndex());
                writeCheckpoint(true);
            }
        } catch (IOException e) {
            LOG.warn("close of {} could not force; recovery will scan the tail", config.directory(), e);
        } finally {
            closed = true;
            StorageFailedException f = new StorageFailedException("commit log closed", null);
            groupCommit.fail(f);
            if (appendQueue != null) {
                appendQueue.failAll(cycle, f);
            }
            forceLock.unlock();
            appendLock.unlock();
            closeFiles();
        }
    }

    private void closeFiles() {
        segments.closeAll();
        index.close();
    }

    // ------------------------------------------------------------------------------------------- internals

    private void ensureUsable() {
        Verify.state(!closed, "commit log closed");
        CommitLogException f = groupCommit.failure();
        if (f != null) {
            throw f;
        }
    }

    private CommitLogException ioError(String what, IOException e) {
        if (e instanceof NoSpaceException) {
            return new DiskFullException(what + ": " + e.getMessage(), e);
        }
        return new StorageFailedException(what + ": " + e.getMessage(), e);
    }

    /** A failed force or truncation: durability can no longer be promised. */
    private CommitLogException fence(String what, IOException e) {
        CommitLogException f = new StorageFailedException(what + " failed; commit log fenced: " + e.getMessage(),
            e);
        LOG.error("commit log {} fenced", config.directory(), e);
        groupCommit.fail(f);
        return f;
    }

    SegmentList segments() {
        return segments;
    }

    IndexStore index() {
        return index;
    }

    CRC32C readCrc() {
        return readCrc.get();
    }

    boolean isClosed() {
        return closed;
    }

    /** Coalesced appends queued for the flush agent (0 outside SYNC mode; tests, diagnostics). Any thread. */
    int coalescedQueued() {
        return appendQueue == null ? 0 : appendQueue.queued();
    }

    /** The preallocator, or null when off (tests, diagnostics). */
    Preallocator preallocator() {
        return preallocator;
    }

    /** The preallocator's view of the log. */
    private final class PreallocatorHost implements Preallocator.Host {
        @Override
        public long writePosition() {
            return readablePosition;
        }

        @Override
        public ReentrantLock appendLock() {
            return appendLock;
        }

        @Override
        public boolean usable() {
            return !closed && groupCommit.failure() == null;
        }
    }

    /** The flush agent's view of the log. */
    private final class AgentTarget implements FlushAgent.Target {
        @Override
        public boolean hasPending() {
            return readablePosition > groupCommit.durablePosition()
                || appendQueue != null && appendQueue.hasQueued();
        }

        @Override
        public void forcePending() {
            if (appendQueue != null) {
                commitCycle();
            } else {
                CommitLog.this.forcePending();
            }
        }

        @Override
        public void checkpoint() {
            CommitLog.this.checkpoint();
        }

        @Override
        public void fail(RuntimeException e) {
            StorageFailedException f = new StorageFailedException("flush agent died: " + e, e);
            forceLock.lock();
            try {
                groupCommit.fail(f);
            } finally {
                forceLock.unlock();
            }
            if (appendQueue != null) {
                appendQueue.failAll(cycle, f);
            }
        }
    }
}
