package io.raftmq.commitlog.queue;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.io.StorageProvider;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.LongUnaryOperator;

/**
 * One ConsumeQueue: the dense array of units of a (topic, queueId), indexed by queue offset, split into segment
 * files of {@code unitsPerFile} units ({@code unitsPerFile * 20} bytes each, unwritten units are zeros) named by
 * their first byte offset (queue offset x 20, 20 digits). This class owns the unit format and the queue's bounds and
 * writes; {@link QueueSegments} manages the files, {@link ConsumeQueueRecovery} finds the bounds on open,
 * {@link UnitSearch} holds the binary searches.
 *
 * <pre>
 * unit (20 bytes, big-endian)         segment file 00000000000000000040 (unitsPerFile = 2)
 * +-----------------------------+     +---------+---------+
 * |  0 physical offset (8)      |     | qo 2    | qo 3    |   file name = 2 * 20 = 40
 * |  8 message total size (4)   |     +---------+---------+
 * | 12 tagsCode (8)             |
 * +-----------------------------+
 * </pre>
 *
 * <p>Invariants: {@code minOffset <= maxOffset}; units are strictly increasing in physical offset and have a
 * positive size (so a written unit is never all zeros); every sealed segment is full, and forced before the next
 * segment is created, so a crash cannot leave it short; the last segment is never
 * deleted by retention, so {@code maxOffset} (the next queue offset) survives even when all units are expired.
 * Recovery on open drops a torn or invalid tail of the last segment (logged); invalid units elsewhere raise
 * {@link ConsumeQueueCorruptException}.
 *
 * <p>Writes are deferred: a unit is staged into the queue's {@link UnitRing} (memory), published from there, and
 * written to the files later in pieces of at least {@link #WRITE_UNITS} units (when that many are unwritten at a
 * commit, when the ring is full, and always by {@link #flush}, which the dispatcher calls before it persists the
 * checkpoint that covers the units). A crash loses at most the unwritten units, which all lie beyond the last
 * checkpoint, and recovery rebuilds them from the commit log (docs/storage.md "Consume-queue writes").
 *
 * <p>I/O goes through the {@link StorageProvider} port; an {@link IOException} from a write leaves the queue
 * unusable (the writer must stop; recovery on the next open drops whatever the failed write left).
 *
 * <p>Threading: one writer (the dispatcher) stages, commits, appends, truncates and deletes; any number of readers may
 * call the read methods concurrently (bounds are volatile and published after the unit bytes are in the ring; units
 * below the ring's floor are read from the files, the others from the ring; each reader passes its own
 * {@link Unit}). A reader racing a truncation or retention may get an {@link IOException}.
 */
public final class ConsumeQueue implements AutoCloseable {
    /** Bytes of one unit. */
    public static final int UNIT_SIZE = 20;
    public static final int PHYSICAL_OFFSET_OFFSET = 0;
    public static final int SIZE_OFFSET = 8;
    public static final int TAGS_CODE_OFFSET = 12;
    /** Unwritten units at a commit that make it write them (one write per piece, see {@link #writePiece}). */
    static final int WRITE_UNITS = 128;
    /** Units not yet in the files at most (the ring's capacity): a stage that finds the ring full writes first. */
    static final int STAGED_UNITS_MAX = UnitRing.CAPACITY_UNITS;

    static {
        Verify.state(TAGS_CODE_OFFSET + 8 == UNIT_SIZE, "unit layout", TAGS_CODE_OFFSET + 8, UNIT_SIZE);
    }

    private final String topic;
    private final int queueId;
    private final int unitsPerFile;
    private final QueueSegments segments;
    /** Writer-thread scratch. */
    private final ByteBuffer unit = ByteBuffer.allocate(UNIT_SIZE);
    /** The newest units (created on the first stage); readers use it for units at or above its floor. */
    private volatile UnitRing ring;
    /** Invariant: minOffset <= maxOffset; units [minOffset, maxOffset) are readable. */
    private volatile long minOffset;
    /** The next queue offset to append (= number of units ever written, before truncation). */
    private volatile long maxOffset;
    /** Physical offset of the last unit, staged ones included, or -1 if the queue has no unit. */
    private long lastPhysicalOffset = -1;
    /**
     * Units [.., writtenOffset) are in the files (segment units end there). Invariant: writtenOffset <= maxOffset +
     * stagedCount, the difference at most STAGED_UNITS_MAX; ring floor <= writtenOffset. Writer thread.
     */
    private long writtenOffset;
    /** Units [maxOffset, maxOffset + stagedCount) are staged in the ring but not readable yet. Writer thread. */
    private int stagedCount;
    /** A write failed: the files may hold part of it; nothing more is written. Writer thread. */
    private boolean writeFailed;

    private ConsumeQueue(StorageProvider storage, Path dir, String topic, int queueId, int unitsPerFile) {
        this.topic = topic;
        this.queueId = queueId;
        this.unitsPerFile = unitsPerFile;
        this.segments = new QueueSegments(storage, dir, topic + "-" + queueId, unitsPerFile);
    }

    /**
     * Opens (creating if absent) the queue stored in {@code dir} and recovers it ({@link ConsumeQueueRecovery}).
     *
     * @throws ConsumeQueueCorruptException if the files fail validation
     * @throws IOException                  on I/O failure
     */
    public static ConsumeQueue open(StorageProvider storage, Path dir, String topic, int queueId, int unitsPerFile)
            throws IOException {
        Verify.argument(unitsPerFile > 0, "unitsPerFile must be positive");
        storage.createDirectories(dir);
        ConsumeQueue q = new ConsumeQueue(storage, dir, topic, queueId, unitsPerFile);
        try {
            ConsumeQueueRecovery.Bounds b = ConsumeQueueRecovery.recover(q.segments);
            q.minOffset = b.minOffset();
            q.maxOffset = b.maxOffset();
            q.lastPhysicalOffset = b.lastPhysicalOffset();
            q.writtenOffset = b.maxOffset();
        } catch (IOException | RuntimeException e) {
            q.close();
            throw e;
        }
        return q;
    }

    public String topic() {
        return topic;
    }

    public int queueId() {
        return queueId;
    }

    /** First readable queue offset. */
    public long minOffset() {
        return minOffset;
    }

    /** Next queue offset to append; units [minOffset, maxOffset) are readable. */
    public long maxOffset() {
        return maxOffset;
    }

    /** Physical offset of the last unit, or -1 if there is none. */
    public long lastPhysicalOffset() {
        return lastPhysicalOffset;
    }

    /**
     * Appends the unit for queue offset {@code queueOffset}, writes it (with any other unit held only in memory)
     * and makes it readable at once: {@link #stage}, the write, then {@link #commitStaged}. The dispatcher uses
     * stage and commit instead, which defer the write.
     *
     * @throws IOException on I/O failure (the unit may be partly written; recovery drops it)
     */
    public void append(long queueOffset, long physicalOffset, int size, long tagsCode) throws IOException {
        stage(queueOffset, physicalOffset, size, tagsCode);
        writeAll();
        commitStaged();
    }

    /**
     * Stages the unit for queue offset {@code queueOffset}, which must equal {@link #maxOffset()} plus the units
     * already staged (or be larger if the queue holds no unit and none is staged: it then starts there); its
     * physical offset must exceed the previous unit's. A staged unit is not readable until {@link #commitStaged}
     * publishes it: the dispatcher stages a whole batch of records and commits each queue it touched once. A stage
     * that finds {@link #STAGED_UNITS_MAX} units unwritten writes them first.
     *
     * @return true if this is the first staged unit since the last commit (the caller must commit this queue)
     * @throws IOException on I/O failure of an implied write or segment start
     */
    public boolean stage(long queueOffset, long physicalOffset, int size, long tagsCode) throws IOException {
        if (stagedCount == 0 && lastPhysicalOffset < 0 && queueOffset > maxOffset) {
            startAt(queueOffset);
        }
        Verify.state(queueOffset == maxOffset + stagedCount, "consume queue append out of order", queueOffset,
                maxOffset + stagedCount);
        Verify.state(physicalOffset > lastPhysicalOffset, "unit physical offset not increasing",
                physicalOffset, lastPhysicalOffset);
        Verify.state(size > 0, "unit size must be positive", size);
        while (queueOffset - writtenOffset >= STAGED_UNITS_MAX) {
            writePiece(queueOffset);
        }
        UnitRing r = ring;
        if (r == null) {
            r = new UnitRing(writtenOffset);
            ring = r;
        }
        r.put(queueOffset, physicalOffset, size, tagsCode);
        stagedCount++;
        lastPhysicalOffset = physicalOffset;
        return stagedCount == 1;
    }

    /**
     * Publishes the staged units to readers (maxOffset), served from memory; then, if {@link #WRITE_UNITS} or more
     * units are unwritten, writes them (one write per piece).
     *
     * @return whether anything was staged
     * @throws IOException on I/O failure (units may be partly written; recovery drops them; the writer must stop)
     */
    public boolean commitStaged() throws IOException {
        if (stagedCount == 0) {
            return false;
        }
        maxOffset += stagedCount;
        stagedCount = 0;
        while (maxOffset - writtenOffset >= WRITE_UNITS) {
            writePiece(maxOffset);
        }
        return true;
    }

    /** Units held only in memory (staged or published, not yet in the files). Writer thread. */
    public int unwrittenUnits() {
        return (int) (maxOffset + stagedCount - writtenOffset);
    }

    /**
     * Writes units from writtenOffset towards {@code end} with one write: as many as lie contiguous in the ring
     * and in the segment (sealing a full one first).
     */
    private void writePiece(long end) throws IOException {
        Verify.state(!writeFailed, "a consume queue write failed earlier; reopen the queue", end, writtenOffset);
        writeFailed = true; // until the write below returns
        QueueSegment s = writableSegment();
        Verify.state(s.base + s.units == writtenOffset, "segment end differs from the written offset",
                s.base + s.units, writtenOffset);
        long n = Math.min(end - writtenOffset, unitsPerFile - s.units);
        int piece = UnitRing.contiguous(writtenOffset, n);
        Verify.state(piece > 0, "nothing to write", end, writtenOffset);
        s.write(s.units, ring.writerView(writtenOffset, piece));
        s.units += piece;
        writtenOffset += piece;
        writeFailed = false;
    }

    /**
     * Writes the published units held only in memory to the files (not forced), however few: the broker calls it
     * about once a second, so a queue that receives little still reaches its files soon (a restart then rebuilds
     * little, and the files show what was dispatched). Returns the units written. Writer thread, between passes.
     */
    public int writePublished() throws IOException {
        return writeUpTo(maxOffset);
    }

    /** Writes every unit held only in memory (staged ones too) to the files. */
    private void writeAll() throws IOException {
        writeUpTo(maxOffset + stagedCount);
    }

    /** Writes the unwritten units below {@code end}, one write per piece; returns how many. */
    private int writeUpTo(long end) throws IOException {
        long before = writtenOffset;
        while (writtenOffset < end) {
            writePiece(end);
        }
        return (int) (writtenOffset - before);
    }

    /**
     * Copies units [queueOffset, queueOffset + n) into {@code dst} at its position (20 bytes each, layout in
     * the class javadoc), n = min(maxUnits, units available, dst room / 20), and advances the position.
     *
     * @return n, 0 if {@code queueOffset} is outside [minOffset, maxOffset)
     */
    public int read(long queueOffset, int maxUnits, ByteBuffer dst) throws IOException {
        long max = maxOffset;
        if (queueOffset < minOffset || queueOffset >= max) {
            return 0;
        }
        int want = (int) Math.min(Math.min(maxUnits, max - queueOffset), dst.remaining() / UNIT_SIZE);
        copyUnits(queueOffset, want, dst);
        return want;
    }

    /**
     * Copies units [queueOffset, queueOffset + n), all below the published (or, on the writer thread, staged) end,
     * into {@code dst} at its position and advances it: those at or above the ring's floor from the ring, the
     * others from the files (a ring copy that raced the writer is repeated, from wherever the unit is then).
     */
    private void copyUnits(long queueOffset, int n, ByteBuffer dst) throws IOException {
        int copied = 0;
        while (copied < n) {
            long offset = queueOffset + copied;
            UnitRing r = ring;
            long floor = r == null ? Long.MAX_VALUE : r.floor();
            int start = dst.position();
            int k;
            if (offset >= floor) {
                k = UnitRing.contiguous(offset, n - copied);
                if (!r.copy(offset, k, dst, start)) {
                    continue;
                }
            } else {
                QueueSegment s = segments.holding(offset);
                long end = Math.min(floor, s.base + unitsPerFile);
                k = (int) Math.min(n - copied, end - offset);
                s.read(offset - s.base, 0, dst.slice(start, k * UNIT_SIZE));
            }
            dst.position(start + k * UNIT_SIZE);
            copied += k;
        }
    }

    /** Reads the unit at {@code queueOffset} into {@code out}; false if it is outside [minOffset, maxOffset). */
    public boolean read(long queueOffset, Unit out) throws IOException {
        ByteBuffer b = out.scratch.clear();
        if (read(queueOffset, 1, b) == 0) {
            return false;
        }
        out.set(b.getLong(PHYSICAL_OFFSET_OFFSET), b.getInt(SIZE_OFFSET), b.getLong(TAGS_CODE_OFFSET));
        return true;
    }

    /**
     * Keeps units [.., queueOffset) and drops the rest (unwritten ones from memory, written ones from the files);
     * {@code minOffset <= queueOffset <= maxOffset}.
     */
    public void truncateTo(long queueOffset) throws IOException {
        Verify.state(stagedCount == 0, "truncation with units staged", stagedCount, queueOffset);
        Verify.state(queueOffset >= minOffset, "truncate below min offset", queueOffset, minOffset);
        Verify.state(queueOffset <= maxOffset, "truncate above max offset", queueOffset, maxOffset);
        maxOffset = queueOffset;
        UnitRing r = ring;
        if (queueOffset >= writtenOffset) {
            if (r != null) {
                r.invalidate(); // the slots of [queueOffset, old end) will hold other units
            }
        } else {
            if (r != null) {
                r.restartAt(queueOffset);
            }
            truncateFiles(queueOffset);
            writtenOffset = queueOffset;
        }
        lastPhysicalOffset = maxOffset > minOffset ? physicalOffsetAt(maxOffset - 1) : -1;
    }

    /** Drops the written units [queueOffset, writtenOffset) from the files. */
    private void truncateFiles(long queueOffset) throws IOException {
        if (segments.isEmpty()) {
            return;
        }
        while (segments.size() > 1 && segments.last().base >= queueOffset) {
            segments.deleteLast();
        }
        QueueSegment s = segments.last();
        int keep = (int) Math.max(0, queueOffset - s.base);
        int written = s.units;
        s.units = keep;
        s.zero(keep, written);
    }

    /**
     * Drops every unit and restarts the queue empty at {@code queueOffset} ({@code minOffset == maxOffset ==
     * queueOffset}), as a member does after installing a snapshot: the next unit staged must carry
     * {@code queueOffset}. Every segment file is deleted and the one that will hold {@code queueOffset} is created
     * with a hole of zero units before it. An empty queue does not record its offset in its files (recovery finds
     * it at the segment base): the dispatcher's checkpoint does ({@code Dispatcher} restores it on open).
     *
     * @throws IOException on I/O failure (the queue is then unusable: the writer must stop)
     */
    public void resetTo(long queueOffset) throws IOException {
        Verify.state(stagedCount == 0, "reset with units staged", stagedCount, queueOffset);
        // unwritten units are dropped with the rest
        Verify.argument(queueOffset >= 0, "queue offset must be >= 0");
        lastPhysicalOffset = -1;
        startAt(queueOffset);
        Verify.state(minOffset == queueOffset && maxOffset == queueOffset, "queue bounds after reset", minOffset,
                maxOffset);
    }

    /** Drops every unit whose physical offset is {@code >= physicalPosition}; returns the new maxOffset. */
    public long truncateFromPhysical(long physicalPosition) throws IOException {
        long keep = UnitSearch.firstWithPhysicalAtLeast(minOffset, maxOffset, physicalPosition,
                this::physicalOffsetAt);
        if (keep < maxOffset) {
            truncateTo(keep);
        }
        return maxOffset;
    }

    /**
     * Retention: deletes sealed segments whose units all point below {@code physicalFloor} and moves
     * minOffset to the first unit at or above it (maxOffset if none). The last segment is kept.
     *
     * @return the number of segment files deleted
     */
    public int deleteBelowPhysical(long physicalFloor) throws IOException {
        Verify.state(stagedCount == 0, "retention with units staged", stagedCount, physicalFloor);
        // minOffset moves first, so a reader checking its bounds now never looks for a file that is about to go
        long newMin = Math.max(minOffset, UnitSearch.firstWithPhysicalAtLeast(minOffset, maxOffset, physicalFloor,
                this::physicalOffsetAt));
        minOffset = newMin;
        int deleted = 0;
        while (segments.size() > 1 && segments.first().base + segments.first().units <= newMin) {
            segments.deleteFirst();
            deleted++;
        }
        return deleted;
    }

    /**
     * The first queue offset in [minOffset, maxOffset) whose message's store time is {@code >= timestampMs},
     * or maxOffset if none, by binary search; {@code storeTimeOfPhysical} maps a unit's physical offset to its
     * message's store timestamp (the broker reads it from the CommitLog). Assumes store times are
     * non-decreasing in queue order; with a clock step back between leaders the answer is approximate.
     */
    public long firstOffsetAtOrAfterTime(long timestampMs, LongUnaryOperator storeTimeOfPhysical)
            throws IOException {
        ByteBuffer scratch = ByteBuffer.allocate(UNIT_SIZE);
        return UnitSearch.firstAtOrAfterTime(minOffset, maxOffset, timestampMs, q -> physicalOffsetAt(q, scratch),
                storeTimeOfPhysical);
    }

    /** Commits staged units, writes every unit held only in memory, then forces written segments to disk. */
    public void flush() throws IOException {
        commitStaged();
        writeAll();
        segments.forceDirty();
    }

    /**
     * Closes the segment files; units held only in memory are dropped, as in a crash (the dispatcher flushes before
     * it closes; recovery rebuilds dropped units from the log). The queue is unusable after.
     */
    @Override
    public void close() throws IOException {
        segments.closeAll();
    }

    /** Physical offset of the unit at {@code queueOffset} in [segment 0 base, maxOffset). Writer thread. */
    long physicalOffsetAt(long queueOffset) throws IOException {
        return physicalOffsetAt(queueOffset, unit);
    }

    /** As above with the caller's 20-byte scratch (any thread, for an offset in [minOffset, maxOffset)). */
    private long physicalOffsetAt(long queueOffset, ByteBuffer scratch) throws IOException {
        scratch.clear();
        copyUnits(queueOffset, 1, scratch);
        return scratch.getLong(PHYSICAL_OFFSET_OFFSET);
    }

    /**
     * Starts a queue that holds no unit at {@code queueOffset} (a rebuild after the log head was deleted): the
     * segment holding it gets a hole of zero units before it, which recovery skips as below minOffset.
     */
    private void startAt(long queueOffset) throws IOException {
        UnitRing r = ring;
        if (r != null) {
            r.restartAt(queueOffset);
        }
        segments.deleteAll();
        long base = queueOffset - queueOffset % unitsPerFile;
        QueueSegment s = segments.create(base);
        s.units = (int) (queueOffset - base);
        writtenOffset = queueOffset;
        if (queueOffset >= maxOffset) {
            maxOffset = queueOffset;
            minOffset = queueOffset;
        } else {
            minOffset = queueOffset;
            maxOffset = queueOffset;
        }
    }

    private QueueSegment writableSegment() throws IOException {
        if (segments.isEmpty()) {
            return segments.create(writtenOffset);
        }
        if (segments.last().units == unitsPerFile) {
            // seal: the full segment is durable before a later one exists, so no crash leaves a sealed one short
            segments.last().forceIfDirty();
            return segments.create(segments.last().base + unitsPerFile);
        }
        return segments.last();
    }

    /** A mutable holder for one unit (reuse it on the data path). */
    public static final class Unit {
        private final ByteBuffer scratch = ByteBuffer.allocate(UNIT_SIZE);
        private long physicalOffset;
        private int size;
        private long tagsCode;

        void set(long physicalOffset, int size, long tagsCode) {
            this.physicalOffset = physicalOffset;
            this.size = size;
            this.tagsCode = tagsCode;
        }

        public long physicalOffset() {
            return physicalOffset;
        }

        public int size() {
            return size;
        }

        public long tagsCode() {
            return tagsCode;
        }
    }
}
