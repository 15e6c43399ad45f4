package io.raftmq.commitlog;

import io.raftmq.commitlog.flush.FlushAgent;
import io.raftmq.commitlog.flush.GroupCommit;
import io.raftmq.commitlog.index.IndexStore;
import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.NoSpaceException;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.recovery.Checkpoint;
import io.raftmq.commitlog.recovery.LogRecovery;
import io.raftmq.commitlog.retention.Retention;
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
 * them). Reads ({@link #read}, {@link #entries}, {@link #term}, {@link #position}) are lock-free and may run on any
 * thread concurrently with appends: they only see bytes below a volatile readable position published after the
 * bytes were written, so never a partial record. A read racing with {@link #truncateFrom} or {@link #resetTo} of the
 * same range may return records of the new branch or fail with {@link LogTruncatedException}. One flush agent
 * thread (SYNC/ASYNC modes) forces the log; see {@link FlushMode}.
 *
 * <p><b>Errors.</b> {@link DiskFullException}, {@link RecordTooLargeException}, {@link CorruptLogException},
 * {@link LogTruncatedException}, {@link StorageFailedException} (fences the log), {@link DurableTimeoutException};
 * caller mistakes are {@link IllegalArgumentException}, broken invariants {@link IllegalStateException}.
 */
public final class CommitLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommitLog.class);
    private static final int ZERO_PAGE = 4096;

    private final CommitLogConfig config;
    private final StorageProvider storage;
    private final RecordStamper stamper;
    private final SegmentList segments;
    private final IndexStore index;
    private final GroupCommit groupCommit;
    private final FlushAgent agent;
    private final Path checkpointPath;
    private final ReentrantLock appendLock = new ReentrantLock();
    /** Held while forcing/checkpointing; taken after appendLock when both are needed, never the other way. */
    private final ReentrantLock forceLock = new ReentrantLock();
    private final ThreadLocal<CRC32C> readCrc = ThreadLocal.withInitial(CRC32C::new);
    private final LogReader reader = new LogReader(this);

    // Writer state, guarded by appendLock.
    private final ByteBuffer staging;
    private final ByteBuffer stampView;
    private final CRC32C crc = new CRC32C();
    private long writePosition;
    private long nextIndex;
    private int lastCrc;
    /** Lowest position written since the last force snapshot. Invariant: dirtyFrom <= writePosition. */
    private long dirtyFrom;

    // Last force snapshot (guarded by forceLock): all log bytes before forcedPosition are durable.
    private long forcedPosition;
    private long forcedNextIndex;
    private int forcedPrevCrc;
    private Checkpoint lastCheckpoint;

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
        this.staging = ByteBuffer.allocateDirect(config.writeBufferBytes());
        this.stampView = staging.duplicate();
        this.groupCommit = new GroupCommit(config.durableWaitersMax(), 0);
        this.agent = config.flushMode() == FlushMode.MANUAL ? null
            : new FlushAgent(new AgentTarget(), config.flushMode(), config.flushIntervalMs(),
                config.checkpointIntervalMs(), System.nanoTime());
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
        LogRecovery.Result r = new LogRecovery(config, segments, index, storage).recover(cp);
        writePosition = r.endPosition();
        nextIndex = r.nextIndex();
        lastCrc = r.lastCrc();
        dirtyFrom = writePosition;
        startPosition = r.startPosition();
        firstIndex = r.firstIndex();
        lastIndex = nextIndex - 1;
        readablePosition = writePosition;
        forcedPosition = writePosition;
        forcedNextIndex = nextIndex;
        forcedPrevCrc = lastCrc;
        groupCommit.reset(0);
        groupCommit.advance(writePosition);
        LOG.info("commit log {} open: positions [{}, {}), indices [{}, {}]", config.directory(), startPosition,
            writePosition, firstIndex, lastIndex);
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
        int n = batch.size();
        Verify.argument(n > 0, "empty append batch");
        for (int i = 0; i < n; i++) {
            long length = (long) RecordHeader.HEADER_LENGTH + batch.body(i).remaining();
            if (length > config.recordBytesMax()) {
                throw new RecordTooLargeException(length, config.recordBytesMax());
            }
            Verify.argument(batch.type(i) != RecordHeader.TYPE_FILLER, "entry type 0xFF is reserved");
        }
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

    private void appendLocked(AppendBatch batch) {
        Verify.argument(batch.index(0) == nextIndex, "append index must be lastIndex + 1");
        long startPos = writePosition;
        long startIndex = nextIndex;
        int startCrc = lastCrc;
        try {
            writeBatch(batch);
        } catch (IOException e) {
            rollback(startPos, startIndex, startCrc);
            throw ioError("append at " + startPos, e);
        } catch (RuntimeException e) {
            rollback(startPos, startIndex, startCrc);
            throw e;
        }
        dirtyFrom = Math.min(dirtyFrom, startPos);
        batch.setEndPosition(writePosition);
        lastIndex = nextIndex - 1;
        readablePosition = writePosition;
    }

    /** Bytes written by the batch being appended but not yet published: [rollbackFrom, attemptedEnd). */
    private long attemptedEnd;

    private void writeBatch(AppendBatch batch) throws IOException {
        attemptedEnd = writePosition;
        staging.clear();
        long stagedAt = writePosition;
        Segment seg = segments.find(writePosition);
        for (int i = 0; i < batch.size(); i++) {
            Verify.argument(batch.index(i) == nextIndex, "append indices must be contiguous");
            Verify.argument(batch.index(i) >= 0, "append index must be >= 0");
            ByteBuffer body = batch.body(i);
            int length = RecordHeader.HEADER_LENGTH + body.remaining();
            if (seg == null || writePosition + length > seg.end()) {
                seg = roll(seg, stagedAt);
                stagedAt = writePosition;
            }
            if (staging.remaining() < length) {
                writeStaged(seg, stagedAt);
                stagedAt = writePosition;
            }
            encode(batch, i, body, length);
            index.put(nextIndex, writePosition, batch.term(i));
            batch.setPosition(i, writePosition);
            writePosition += length;
            nextIndex++;
        }
        writeStaged(seg, stagedAt);
        index.flushStaged();
    }

    /** Copies body i into staging, lets the stamper stamp it, then writes header and crc. */
    private void encode(AppendBatch batch, int i, ByteBuffer body, int length) {
        int at = staging.position();
        int bodyLength = length - RecordHeader.HEADER_LENGTH;
        staging.put(at + RecordHeader.HEADER_LENGTH, body, body.position(), bodyLength);
        stampView.limit(at + length).position(at + RecordHeader.HEADER_LENGTH);
        stamper.stamp(batch.type(i), stampView, writePosition + RecordHeader.HEADER_LENGTH);
        lastCrc = RecordHeader.writeData(staging, at, crc, batch.type(i), lastCrc, bodyLength, batch.term(i),
            nextIndex, batch.timestampMs(i));
        staging.position(at + length);
    }

    /** Closes {@code seg} with a filler (when at least a header's worth of room is left) and opens the next. */
    private Segment roll(Segment seg, long stagedAt) throws IOException {
        if (seg != null) {
            long room = seg.end() - writePosition;
            if (room >= RecordHeader.HEADER_LENGTH) {
                if (staging.remaining() < RecordHeader.HEADER_LENGTH) {
                    writeStaged(seg, stagedAt);
                    stagedAt = writePosition;
                }
                RecordHeader.writeFiller(staging, staging.position(), crc, (int) room, lastCrc, nextIndex);
                staging.position(staging.position() + RecordHeader.HEADER_LENGTH);
                writePosition += RecordHeader.HEADER_LENGTH;
            }
            writeStaged(seg, stagedAt);
            // Force the full segment before any byte goes to the next one: then a later segment can only hold data
            // if every earlier one is complete on disk, and recovery never sees valid records after a hole
            // across segments. One fdatasync per segment (1 GiB by default).
            seg.file().force();
            writePosition = seg.end();
        }
        Segment next = segments.getOrCreate(segments.baseOf(writePosition));
        Verify.state(next.base() <= writePosition && writePosition < next.end(), "roll target", writePosition,
            next.base());
        return next;
    }

    private void writeStaged(Segment seg, long stagedAt) throws IOException {
        staging.flip();
        if (staging.hasRemaining()) {
            Verify.state(stagedAt >= seg.base() && stagedAt + staging.remaining() <= seg.end(),
                "staged bytes outside their segment", stagedAt, seg.base());
            attemptedEnd = Math.max(attemptedEnd, stagedAt + staging.remaining());
            seg.file().write(stagedAt - seg.base(), staging);
        }
        staging.clear();
    }

    private void rollback(long startPos, long startIndex, int startCrc) {
        index.discardStaged();
        zeroRange(startPos, attemptedEnd);
        writePosition = startPos;
        nextIndex = startIndex;
        lastCrc = startCrc;
        stamper.truncated(startPos);
    }

    /**
     * Best-effort zeroing of [from, to) so stale bytes of a failed or truncated write never look like records.
     * Works page by page and skips pages that cannot be written: after ENOSPC those were never allocated and read
     * as zeros anyway.
     */
    private void zeroRange(long from, long to) {
        ByteBuffer zeros = ByteBuffer.allocate(ZERO_PAGE);
        int failed = 0;
        for (long at = from; at < to; ) {
            Segment seg = segments.find(at);
            long chunkEnd = Math.min(to, Math.min(at - Math.floorMod(at, ZERO_PAGE) + ZERO_PAGE,
                segments.baseOf(at) + config.segmentBytes()));
            if (seg != null) {
                zeros.clear().limit((int) (chunkEnd - at));
                try {
                    seg.file().write(at - seg.base(), zeros);
                } catch (IOException e) {
                    failed++;
                }
            }
            at = chunkEnd;
        }
        if (failed > 0) {
            LOG.debug("zeroing [{}, {}) skipped {} unwritable page(s)", from, to, failed);
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
        return reader.read(position, dst, Long.MAX_VALUE);
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
            Verify.argument(index >= firstIndex && index <= nextIndex, "truncateFrom index outside log");
            if (index == nextIndex) {
                return;
            }
            truncateLocked(index);
        } catch (IOException e) {
            throw fence("truncateFrom " + index, e);
        } finally {
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
        lastIndex = index - 1;
        readablePosition = pos;
        zeroRange(pos, Math.min(writePosition, seg.end()));
        segments.removeFrom(seg.end());
        this.index.removeFrom(index);
        writePosition = pos;
        nextIndex = index;
        lastCrc = prevCrc;
        dirtyFrom = Math.min(dirtyFrom, pos);
        groupCommit.reset(pos);
        forceAllLocked();
        stamper.truncated(pos);
        writeCheckpoint(false);
    }

    /**
     * Discards the whole log and starts over: the next record gets {@code nextIndex} at {@code nextPosition}
     * (after a snapshot install; pass the leader's position so positions stay identical across the group). Durable
     * on return. Any thread; serialized with appends. The stamper sees {@code truncated(old startPosition())}.
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
            lastIndex = nextIndex - 1;
            firstIndex = nextIndex;
            startPosition = nextPosition;
            readablePosition = nextPosition;
            segments.removeFrom(Long.MIN_VALUE);
            index.removeAll();
            segments.getOrCreate(segments.baseOf(nextPosition));
            this.writePosition = nextPosition;
            this.nextIndex = nextIndex;
            lastCrc = 0;
            dirtyFrom = nextPosition;
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

    /** Forces the dirty segments and advances the durable position. Flush agent or {@link #flush()}. */
    void forcePending() {
        forceLock.lock();
        try {
            if (groupCommit.failure() != null) {
                return;
            }
            long target;
            long from;
            long snapIndex;
            int snapCrc;
            appendLock.lock();
            try {
                target = readablePosition;
                from = dirtyFrom;
                snapIndex = lastIndex + 1;
                snapCrc = lastCrc;
                dirtyFrom = writePosition;
            } finally {
                appendLock.unlock();
            }
            if (from < target) {
                forceSegments(from, target);
            }
            forcedPosition = target;
            forcedNextIndex = snapIndex;
            forcedPrevCrc = snapCrc;
            if (target > groupCommit.durablePosition()) {
                groupCommit.advance(target);
            }
        } catch (IOException e) {
            fence("force", e);
        } finally {
            forceLock.unlock();
        }
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
        forceSegments(Math.min(dirtyFrom, writePosition), Long.MAX_VALUE);
        dirtyFrom = writePosition;
        forcedPosition = writePosition;
        forcedNextIndex = nextIndex;
        forcedPrevCrc = lastCrc;
        if (writePosition > groupCommit.durablePosition()) {
            groupCommit.advance(writePosition);
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
                if (nextFirst < 0 || nextFirst > Math.min(floorIndex, nextIndex)) {
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        appendLock.lock();
        forceLock.lock();
        try {
            if (groupCommit.failure() == null) {
                forceAllLocked();
                index.force(firstIndex, nextIndex);
                writeCheckpoint(true);
            }
        } catch (IOException e) {
            LOG.warn("close of {} could not force; recovery will scan the tail", config.directory(), e);
        } finally {
            closed = true;
            groupCommit.fail(new StorageFailedException("commit log closed", null));
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

    /** The flush agent's view of the log. */
    private final class AgentTarget implements FlushAgent.Target {
        @Override
        public boolean hasPending() {
            return readablePosition > groupCommit.durablePosition();
        }

        @Override
        public void forcePending() {
            CommitLog.this.forcePending();
        }

        @Override
        public void checkpoint() {
            CommitLog.this.checkpoint();
        }

        @Override
        public void fail(RuntimeException e) {
            forceLock.lock();
            try {
                groupCommit.fail(new StorageFailedException("flush agent died: " + e, e));
            } finally {
                forceLock.unlock();
            }
        }
    }
}
