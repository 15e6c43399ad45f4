package io.raftmq.broker.replication;

import io.raftmq.commitlog.AppendBatch;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.error.CommitLogException;
import io.raftmq.commitlog.error.CorruptLogException;
import io.raftmq.commitlog.error.LogTruncatedException;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.retention.SegmentSpan;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.LogCompactedException;
import io.raftmq.raft.log.LogStorageException;
import io.raftmq.raft.log.RaftLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raft {@link RaftLog} port on top of the broker's {@link CommitLog}: one commit-log record per Raft entry
 * (record term/index = entry term/index, record type = entry type, record body = entry payload), so the data is
 * written once. What the commit log cannot hold itself, the term of the entry just before its first record after
 * a snapshot reset, lives in a tiny {@link SnapshotBoundary} file.
 *
 * <p>Reads of recent entries (the leader replicating what it just appended, every node applying what just
 * committed) are served from a bounded ring of references to the entries most recently appended: the same
 * {@link Entry} objects the core handed over, not a second copy of the data. The ring is bounded twice: at most
 * {@code tailCacheEntriesMax} entries and at most {@code tailCacheBytesMax} bytes of them ({@link Entry#sizeBytes});
 * the oldest go first and their slots are cleared, so an evicted payload is garbage at once (with entries of
 * 32 KiB, 8,192 slots alone would hold 256 MiB: more than a member's heap). Older entries are read from the
 * commit log and decoded (one copy of each payload out of the read buffer).
 *
 * <p>Threading: the raft agent only (like every RaftLog), except {@link #sync()}, which the agent's log syncer calls
 * from its own thread while the agent appends and truncates: it only calls {@link CommitLog#flush()}, which is
 * thread-safe (force lock; a truncation or reset holds both locks and is durable on return by itself). The commit
 * log may be read concurrently by others.
 * Errors: commit-log failures surface as {@link LogStorageException}, reads below the retained range as
 * {@link LogCompactedException}. Retention compacts the head with {@link #compactTo}, which keeps the term of
 * {@code firstIndex - 1} in a {@link CompactionBoundary} file.
 *
 * <p><b>Snapshot install</b> (docs/snapshots.md rule 4). Opened over a {@link MessageStore} and told where installs
 * find the leader's {@link LogPosition} ({@link #installPositions}), {@link #resetToSnapshot} restarts the whole
 * store at the leader's position: the commit log empty at the leader's end of the snapshot's entry (with its crc
 * link), ConsumeQueues at the leader's counters, the key index empty, the dispatch checkpoint there; the records it
 * then receives are byte-identical to the leader's. Crash safety: the boundary file, holding the position too, is
 * written first and is the commit point; the store reset is idempotent and a reopen repeats it while the commit log
 * still starts at or below the boundary. Without a position (an install that carries none, or a log opened over
 * a bare CommitLog) the commit log restarts empty at its own end, so positions then differ from the leader's.
 */
public final class CommitLogRaftLog implements RaftLog {
    private static final Logger LOG = LoggerFactory.getLogger(CommitLogRaftLog.class);
    /** Entries per commit-log append call (the batch object is reused). */
    private static final int APPEND_BATCH_MAX = 4096;
    private static final int READ_BYTES_MIN = 64 * 1024;
    /** File name of the {@link CompactionBoundary}, in the directory of the snapshot boundary file. */
    static final String COMPACTION_FILE = "raft-compaction-boundary";
    /** Entries and messages whose stamped offsets are kept for the send path ({@link StampedOffsets}). */
    private static final int STAMPED_ENTRIES_MAX = 1024;
    private static final int STAMPED_MESSAGES_MAX = 32 * 1024;
    /** Byte budget of the tail cache when the caller names none. */
    public static final long TAIL_CACHE_BYTES_MAX_DEFAULT = 16L << 20;

    private final CommitLog log;
    /** The store the log belongs to (derived data reset with it on install); null over a bare CommitLog. */
    private final MessageStore store;
    private final Path boundaryFile;
    /** Where the boundary files are read and written: the store's storage port (or the file system without one). */
    private final StorageProvider fileStorage;
    private final LongSupplier clockMs;
    private final AppendBatch batch = new AppendBatch(APPEND_BATCH_MAX);
    private final ByteBuffer readBuffer;
    private final Entry[] ring;
    private final int ringMask;
    /**
     * Lowest index served from the ring. Invariant: the ring holds [cacheFirst, lastIndex] when non-empty and every
     * other slot is null.
     */
    private long cacheFirst;
    private final long tailCacheBytesMax;
    /** Invariant: the sum of {@link Entry#sizeBytes} over [cacheFirst, lastIndex], at most tailCacheBytesMax. */
    private long cachedBytes;
    private SnapshotBoundary boundary;
    /** Where an install's leader position is found; null: installs restart at this log's own end. */
    private LogPositionPart installPositions;
    /** Where {@link #compactTo} keeps the last deleted entry (beside {@code boundaryFile}). */
    private final Path compactionFile;
    /** Last entry retention deleted, null if none yet; see {@link CompactionBoundary}. */
    private CompactionBoundary compaction;
    /** Entries read back from the commit log (tail cache misses); for metrics. */
    private long entriesReadFromLog;
    /** Index of the snapshot a damaged read below it is answered with; see {@link #coverDamagedReadsBySnapshot}. */
    private LongSupplier snapshotCovered = () -> -1;
    /** Damaged reads answered with the snapshot; for metrics. */
    private long damagedReads;
    /** Offsets stamped into recent entries, for the send path; null over a bare CommitLog. */
    private final StampedOffsets stamped;

    /**
     * Wraps an open commit log; finishes a snapshot reset a crash interrupted.
     *
     * @param boundaryFile        where the snapshot boundary is kept (outside the commit log's own files)
     * @param clockMs             store timestamps of appended records
     * @param tailCacheEntriesMax recent entries kept by reference (rounded up to a power of two)
     */
    public CommitLogRaftLog(CommitLog log, Path boundaryFile, LongSupplier clockMs, int tailCacheEntriesMax) {
        this(log, boundaryFile, clockMs, tailCacheEntriesMax, TAIL_CACHE_BYTES_MAX_DEFAULT);
    }

    /** As above, the tail cache holding at most {@code tailCacheBytesMax} bytes of entries (class javadoc). */
    public CommitLogRaftLog(CommitLog log, Path boundaryFile, LongSupplier clockMs, int tailCacheEntriesMax,
                            long tailCacheBytesMax) {
        this(null, log, boundaryFile, clockMs, tailCacheEntriesMax, tailCacheBytesMax);
    }

    /**
     * Wraps an open store's commit log; an install then resets the whole store at the leader's position (class
     * javadoc); finishes such a reset a crash interrupted.
     */
    public CommitLogRaftLog(MessageStore store, Path boundaryFile, LongSupplier clockMs, int tailCacheEntriesMax) {
        this(store, boundaryFile, clockMs, tailCacheEntriesMax, TAIL_CACHE_BYTES_MAX_DEFAULT);
    }

    /** As above, the tail cache holding at most {@code tailCacheBytesMax} bytes of entries (class javadoc). */
    public CommitLogRaftLog(MessageStore store, Path boundaryFile, LongSupplier clockMs, int tailCacheEntriesMax,
                            long tailCacheBytesMax) {
        this(store, store.commitLog(), boundaryFile, clockMs, tailCacheEntriesMax, tailCacheBytesMax);
    }

    private CommitLogRaftLog(MessageStore store, CommitLog log, Path boundaryFile, LongSupplier clockMs,
        int tailCacheEntriesMax, long tailCacheBytesMax) {
        Verify.argument(tailCacheEntriesMax >= 1 && tailCacheEntriesMax <= 1 << 24,
            "tailCacheEntriesMax must be in [1, 16M]");
        Verify.argument(tailCacheBytesMax >= 0, "tailCacheBytesMax must be >= 0");
        this.tailCacheBytesMax = tailCacheBytesMax;
        this.store = store;
        this.log = log;
        this.boundaryFile = boundaryFile;
        this.fileStorage = store != null ? store.derivedStorage() : new FileSystemStorage(IoMode.CHANNEL);
        this.clockMs = clockMs;
        this.ring = new Entry[Integer.highestOneBit(tailCacheEntriesMax - 1 | 1) << 1];
        this.ringMask = ring.length - 1;
        this.stamped = store == null ? null : new StampedOffsets(STAMPED_ENTRIES_MAX, STAMPED_MESSAGES_MAX);
        this.readBuffer = ByteBuffer.allocate(Math.max(log.config().recordBytesMax(), READ_BYTES_MIN));
        this.boundary = readBoundary(boundaryFile);
        if (boundary != null && boundary.index() >= log.firstIndex()) {
            // crashed between writing the boundary and resetting the log: finish the reset
            resetLog(boundary);
        } else if (boundary != null && boundary.position() != null && store != null) {
            raiseEmptyQueues(boundary);
        }
        this.compactionFile = boundaryFile.resolveSibling(COMPACTION_FILE);
        this.compaction = readCompaction(compactionFile);
        finishCompaction();
        this.cacheFirst = log.lastIndex() + 1;
    }

    private SnapshotBoundary readBoundary(Path file) {
        try {
            byte[] bytes = fileStorage.readAll(file);
            return bytes == null ? null : SnapshotBoundary.decode(bytes, file);
        } catch (IOException | SnapshotBoundary.CorruptBoundaryException e) {
            throw new LogStorageException("cannot read snapshot boundary " + file, e);
        }
    }

    /**
     * The offsets the store stamped into recently appended entries (what a committed send is answered with), or
     * null when this log was opened over a bare CommitLog. Raft agent thread only.
     */
    public StampedOffsets stampedOffsets() {
        return stamped;
    }

    /** Bytes of the entries the tail cache holds now ({@link Entry#sizeBytes}). Raft thread. */
    public long tailCacheBytes() {
        return cachedBytes;
    }

    /** Entries served by reading the commit log instead of the tail cache, since open. Raft thread. */
    public long entriesReadFromLog() {
        return entriesReadFromLog;
    }

    @Override
    public long firstIndex() {
        return log.firstIndex();
    }

    @Override
    public long lastIndex() {
        return log.lastIndex();
    }

    @Override
    public long term(long index) {
        long first = log.firstIndex();
        if (index == first - 1) {
            return boundaryTerm(index, first);
        }
        if (index < first) {
            throw new LogCompactedException(index, first);
        }
        Verify.argument(index <= log.lastIndex(), "term asked past lastIndex");
        if (index >= cacheFirst) {
            return cached(index).term();
        }
        try {
            return log.term(index);
        } catch (LogTruncatedException e) {
            throw new LogCompactedException(index, log.firstIndex());
        } catch (CommitLogException e) {
            throw storageError("term of " + index, e);
        }
    }

    private long boundaryTerm(long index, long first) {
        if (index == 0) {
            return 0;
        }
        if (boundary != null && boundary.index() == index) {
            return boundary.term();
        }
        if (compaction != null && compaction.index() == index) {
            return compaction.term();
        }
        throw new LogCompactedException(index, first);
    }

    private Entry cached(long index) {
        Entry e = ring[(int) (index & ringMask)];
        Verify.state(e != null && e.index() == index, "tail cache lost an entry", index, cacheFirst);
        return e;
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxBytes) {
        if (lo < log.firstIndex()) {
            throw new LogCompactedException(lo, log.firstIndex());
        }
        Verify.argument(lo <= hi && hi <= log.lastIndex() + 1, "entries range outside the log");
        List<Entry> out = new ArrayList<>((int) Math.min(hi - lo, 8192));
        long bytes = 0;
        long i = lo;
        while (i < hi) {
            if (i < cacheFirst) {
                int before = out.size();
                bytes = readFromLog(i, Math.min(hi, cacheFirst), maxBytes, bytes, out);
                i += out.size() - before;
                if (bytes > maxBytes) {
                    break; // size limit reached inside the read
                }
                continue;
            }
            Entry e = cached(i);
            bytes += e.sizeBytes();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(e);
            i++;
        }
        Verify.state(out.isEmpty() == (lo == hi), "entries must return at least one entry", lo, hi);
        return out;
    }

    /** Reads entries [lo, hi) from the commit log until maxBytes; returns the new byte count. */
    private long readFromLog(long lo, long hi, long maxBytes, long bytes, List<Entry> out) {
        long budget = Math.max(0, maxBytes - bytes);
        int limit = (int) Math.min(readBuffer.capacity(), Math.max(READ_BYTES_MIN, 2 * budget + 64));
        int n;
        try {
            n = readInto(lo, hi, limit);
        } catch (IllegalArgumentException tooSmall) { // documented: buffer cannot hold the record at lo
            n = readInto(lo, hi, readBuffer.capacity());
        }
        Verify.state(n >= 1, "commit log returned no record", lo, hi);
        long expect = lo;
        for (int at = 0, k = 0; k < n; k++) {
            Verify.state(RecordHeader.index(readBuffer, at) == expect, "commit log index sequence", expect,
                RecordHeader.index(readBuffer, at));
            int bodyLength = RecordHeader.bodyLength(readBuffer, at);
            bytes += Entry.OVERHEAD_BYTES + bodyLength;
            if (!out.isEmpty() && bytes > maxBytes) {
                return bytes;
            }
            byte[] payload = new byte[bodyLength];
            readBuffer.get(at + RecordHeader.HEADER_LENGTH, payload);
            out.add(new Entry(RecordHeader.term(readBuffer, at), expect, RecordHeader.type(readBuffer, at) & 0xFF,
                payload, RecordHeader.timestampMs(readBuffer, at)));
            at += RecordHeader.recordLength(readBuffer, at);
            expect++;
            entriesReadFromLog++;
        }
        return bytes;
    }

    private int readInto(long lo, long hi, int limit) {
        readBuffer.clear().limit(limit);
        try {
            return log.entries(lo, hi, readBuffer);
        } catch (LogTruncatedException e) {
            throw new LogCompactedException(lo, log.firstIndex());
        } catch (CorruptLogException e) {
            throw damagedRead(lo, hi, e);
        } catch (CommitLogException e) {
            throw storageError("read of [" + lo + ", " + hi + ")", e);
        }
    }

    /**
     * A record of [lo, hi) failed its check on read. Below the snapshot that covers them (the start verified only
     * the log after the newest snapshot, docs/storage.md "CommitLog recovery") they are as good as compacted: a
     * follower that needs them gets that snapshot instead ({@link LogCompactedException}), and this member keeps
     * running. Above it the member cannot go on without them: a storage failure.
     */
    private RuntimeException damagedRead(long lo, long hi, CorruptLogException e) {
        long covered = snapshotCovered.getAsLong();
        if (lo > covered) {
            return storageError("read of [" + lo + ", " + hi + ")", e);
        }
        LOG.error("entries from {} cannot be read from the commit log, served by the snapshot at index {} instead: {}",
            lo, covered, e.getMessage());
        damagedReads++;
        return new LogCompactedException(lo, covered + 1);
    }

    /**
     * Tells the log which snapshot covers the entries a damaged read may be answered for with that snapshot:
     * {@code covered} returns the index of the snapshot a leader sends (-1 while none), any thread may call it.
     * Without it a damaged read is a storage failure.
     */
    public void coverDamagedReadsBySnapshot(LongSupplier covered) {
        this.snapshotCovered = covered;
    }

    /** Reads that failed their check and were answered with the snapshot instead, since open. Raft thread. */
    public long damagedReads() {
        return damagedReads;
    }

    @Override
    public void append(List<Entry> entries) {
        int n = entries.size();
        for (int from = 0; from < n; from += APPEND_BATCH_MAX) {
            int to = Math.min(n, from + APPEND_BATCH_MAX);
            appendChunk(entries, from, to);
        }
    }

    private void appendChunk(List<Entry> entries, int from, int to) {
        long now = clockMs.getAsLong();
        long expected = log.lastIndex() + 1;
        batch.clear();
        for (int i = from; i < to; i++) {
            Entry e = entries.get(i);
            Verify.argument(e.index() == expected + (i - from), "append must be contiguous at lastIndex + 1");
            Verify.argument(e.type() < 0xFF, "entry types above 254 do not fit a commit-log record");
            long stamp = e.timestampMs() != 0 ? e.timestampMs() : now; // the leader's: identical on every member
            batch.add(e.term(), e.index(), (byte) e.type(), stamp, ByteBuffer.wrap(e.payload()));
        }
        try {
            if (stamped == null) {
                log.append(batch);
            } else {
                store.append(batch, stamped.sink());
                stamped.appended(batch);
            }
        } catch (CommitLogException e) {
            throw storageError("append at " + expected, e);
        } finally {
            batch.clear();
        }
        long last = log.lastIndex();
        Verify.state(last == expected + (to - from) - 1, "commit log lastIndex after append", last, expected);
        cacheAppended(entries, from, to, last);
    }

    /**
     * Puts appended entries [from, to) (ending at {@code last}) into the ring, then evicts the oldest until both
     * bounds hold: at most {@code ring.length} entries and {@code tailCacheBytesMax} bytes.
     */
    private void cacheAppended(List<Entry> entries, int from, int to, long last) {
        long firstNew = entries.get(from).index();
        Verify.state(cacheFirst <= firstNew, "tail cache ahead of the log", cacheFirst, firstNew);
        long firstKept = last - ring.length + 1;
        evictBelow(Math.min(firstKept, firstNew)); // frees the slots the new entries take
        for (int i = Math.max(from, to - ring.length); i < to; i++) {
            Entry e = entries.get(i);
            ring[(int) (e.index() & ringMask)] = e;
            cachedBytes += e.sizeBytes();
        }
        cacheFirst = Math.max(cacheFirst, firstKept);
        while (cachedBytes > tailCacheBytesMax) {
            evictBelow(cacheFirst + 1);
        }
    }

    /** Drops the cached entries below {@code index} (clearing their slots) and raises cacheFirst to it. */
    private void evictBelow(long index) {
        for (long i = cacheFirst; i < index; i++) {
            int slot = (int) (i & ringMask);
            Entry e = ring[slot];
            if (e != null && e.index() == i) {
                cachedBytes -= e.sizeBytes();
                ring[slot] = null;
            }
        }
        cacheFirst = Math.max(cacheFirst, index);
        Verify.state(cachedBytes >= 0, "tail cache bytes went negative", cachedBytes, index);
    }

    /** Drops the cached entries at and above {@code fromIndex} up to {@code oldLast} (a truncation). */
    private void evictFrom(long fromIndex, long oldLast) {
        for (long i = Math.max(cacheFirst, fromIndex); i <= oldLast; i++) {
            int slot = (int) (i & ringMask);
            Entry e = ring[slot];
            if (e != null && e.index() == i) {
                cachedBytes -= e.sizeBytes();
                ring[slot] = null;
            }
        }
        cacheFirst = Math.min(cacheFirst, fromIndex);
        Verify.state(cachedBytes >= 0, "tail cache bytes went negative", cachedBytes, fromIndex);
    }

    @Override
    public void truncateSuffix(long fromIndex) {
        Verify.argument(fromIndex >= log.firstIndex() && fromIndex <= log.lastIndex() + 1,
            "truncate outside the log");
        long oldLast = log.lastIndex();
        try {
            log.truncateFrom(fromIndex);
        } catch (CommitLogException e) {
            throw storageError("truncate from " + fromIndex, e);
        }
        evictFrom(fromIndex, oldLast);
        if (stamped != null) {
            stamped.truncatedFrom(fromIndex);
        }
        Verify.state(log.lastIndex() == fromIndex - 1, "commit log lastIndex after truncate", log.lastIndex(),
            fromIndex);
    }

    /**
     * Where installs find the leader's log position: the state machine's "log-position" part, which an install's
     * restore fills right before {@link #resetToSnapshot}. Set once, before the agent starts; needs the
     * {@link MessageStore} constructor.
     */
    public void installPositions(LogPositionPart part) {
        Verify.state(store != null, "install positions need the log opened over its MessageStore");
        this.installPositions = part;
    }

    @Override
    public void resetToSnapshot(long index, long term) {
        LogPosition position = installPositions == null ? null : installPositions.takePending(index);
        SnapshotBoundary b = new SnapshotBoundary(index, term, position);
        try {
            fileStorage.writeAtomically(boundaryFile, b.encode());
        } catch (IOException e) {
            throw new LogStorageException("cannot write snapshot boundary " + boundaryFile, e);
        }
        boundary = b;
        resetLog(b);
        if (installPositions != null) {
            installPositions.reset(); // every queue's max offset moved: the dispatch listeners hear of it
        }
    }

    /**
     * While the log still starts where the install put it, puts back the install's counters of queues a rebuild of
     * the derived data emptied (the store does nothing unless nothing was dispatched since the log start).
     */
    private void raiseEmptyQueues(SnapshotBoundary b) {
        if (log.firstIndex() != b.index() + 1 || log.startPosition() != b.position().nextPosition()) {
            return;
        }
        try {
            store.raiseEmptyQueues(b.position().queues());
        } catch (IOException e) {
            throw new LogStorageException("derived data repair after install " + b.index() + " failed", e);
        }
    }

    /** Restarts the log (and with a position, the whole store) right after the boundary's entry. Idempotent. */
    private void resetLog(SnapshotBoundary b) {
        long index = b.index();
        LogPosition p = b.position();
        try {
            if (p != null && store != null) {
                store.resetTo(index + 1, p.nextPosition(), p.prevCrc(), p.queues());
            } else {
                log.resetTo(index + 1, log.endPosition());
            }
        } catch (CommitLogException e) {
            throw storageError("reset to " + index, e);
        } catch (IOException e) {
            throw new LogStorageException("derived data reset to " + index + " failed", e);
        } catch (UncheckedIOException e) {
            throw new LogStorageException("derived data reset to " + index + " failed", e.getCause());
        }
        Arrays.fill(ring, null);
        cachedBytes = 0;
        cacheFirst = index + 1;
        if (stamped != null) {
            stamped.clearEntries();
        }
        Verify.state(log.firstIndex() == index + 1 && log.lastIndex() == index, "commit log after reset",
            log.firstIndex(), index);
        Verify.state(p == null || store == null || log.startPosition() == p.nextPosition(),
            "commit log start after reset", log.startPosition(), p == null ? -1 : p.nextPosition());
    }

    // ------------------------------------------------------------------------------------------ compaction

    /**
     * Retention (docs/snapshots.md rule 5): deletes the whole head segments of the commit log that hold only entries
     * {@code <= index}, never the segment being written. First the last entry to be deleted (its index and term) is
     * written to the {@link CompactionBoundary} file (atomically, durably), then the segments are deleted, so after a
     * crash the boundary may be ahead of the deleted segments (finished on open) but never behind them. Afterwards
     * {@code firstIndex()} is the first entry of the oldest segment kept and {@code term(firstIndex() - 1)} is still
     * known. The caller guarantees that every entry up to {@code index} is applied and covered by a snapshot, and that
     * entry {@code index + 1} is committed: it may have opened the next segment, sealing the last one deleted, and a
     * truncation of it would resume in that segment's tail (docs/storage.md "Retention keeps the segment of an
     * uncommitted seal").
     * Raft agent thread only.
     *
     * @return the number of segments deleted (0 when no whole segment lies at or below {@code index})
     * @throws LogStorageException the boundary cannot be written or the commit log failed
     */
    public int compactTo(long index) {
        Verify.argument(index <= log.lastIndex(), "compaction past the last index");
        long last = lastDeletable(index);
        if (last < log.firstIndex()) {
            return 0;
        }
        CompactionBoundary b = new CompactionBoundary(last, term(last));
        try {
            fileStorage.writeAtomically(compactionFile, b.encode());
        } catch (IOException e) {
            throw new LogStorageException("cannot write compaction boundary " + compactionFile, e);
        }
        compaction = b;
        int deleted = deleteSegmentsThrough(last);
        Verify.state(log.firstIndex() == last + 1, "commit log first index after compaction", log.firstIndex(),
            last + 1);
        return deleted;
    }

    /** The last index of the newest sealed segment holding only entries {@code <= index}; firstIndex - 1 if none. */
    private long lastDeletable(long index) {
        long last = log.firstIndex() - 1;
        for (SegmentSpan s : log.sealedSegments(Integer.MAX_VALUE)) {
            if (s.lastIndex() > index) {
                break;
            }
            last = s.lastIndex();
        }
        return last;
    }

    private int deleteSegmentsThrough(long last) {
        try {
            return log.deleteSegmentsBefore(last + 1);
        } catch (CommitLogException e) {
            throw storageError("compaction to " + last, e);
        }
    }

    private CompactionBoundary readCompaction(Path file) {
        try {
            byte[] bytes = fileStorage.readAll(file);
            return bytes == null ? null : CompactionBoundary.decode(bytes, file);
        } catch (IOException | CompactionBoundary.CorruptException e) {
            throw new LogStorageException("cannot read compaction boundary " + file, e);
        }
    }

    /** A crash between writing the compaction boundary and deleting the segments: delete them now. */
    private void finishCompaction() {
        if (compaction != null && compaction.index() >= log.firstIndex() && compaction.index() <= log.lastIndex()) {
            int n = deleteSegmentsThrough(compaction.index());
            LOG.info("finished an interrupted compaction to {}: {} segment(s) deleted, log starts at {}",
                compaction.index(), n, log.firstIndex());
        }
    }

    @Override
    public void sync() {
        try {
            log.flush();
        } catch (CommitLogException e) {
            throw storageError("sync", e);
        }
    }

    private static LogStorageException storageError(String what, CommitLogException e) {
        return new LogStorageException("commit log " + what + " failed: " + e.getMessage(), e);
    }
}
