package io.raftmq.commitlog.queue;

import io.raftmq.commitlog.error.Verify;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ConsumeQueue: the dense array of units of a (topic, queueId), indexed by queue offset, split into segment
 * files of {@code unitsPerFile} units named by their first byte offset (queue offset x 20, 20 digits).
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
 * <p>Invariants: {@code minOffset <= maxOffset}; units are strictly increasing in physical offset; every sealed
 * segment is full; the last segment is never deleted by retention, so {@code maxOffset} (the next queue offset)
 * survives even when all units are expired. Recovery on open drops a torn trailing partial unit and any invalid
 * units at the tail of the last segment (logged); invalid units elsewhere raise
 * {@link ConsumeQueueCorruptException}.
 *
 * <p>Threading: one writer (the dispatcher) stages, commits, appends, truncates and deletes; any number of readers may
 * call the read methods concurrently (bounds are volatile and published after the unit bytes are written; each reader
 * passes its own {@link Unit}). A reader racing a truncation or retention may get an {@link IOException}.
 */
public final class ConsumeQueue implements AutoCloseable {
    /** Bytes of one unit. */
    public static final int UNIT_SIZE = 20;
    public static final int PHYSICAL_OFFSET_OFFSET = 0;
    public static final int SIZE_OFFSET = 8;
    public static final int TAGS_CODE_OFFSET = 12;
    /** Digits of a segment file name. */
    public static final int FILE_NAME_DIGITS = 20;
    /** Units staged at most before a stage writes them by itself. */
    static final int STAGED_UNITS_MAX = 64;
    private static final Segment[] NO_SEGMENTS = new Segment[0];

    static {
        Verify.state(TAGS_CODE_OFFSET + 8 == UNIT_SIZE, "unit layout", TAGS_CODE_OFFSET + 8, UNIT_SIZE);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConsumeQueue.class);

    private final Path dir;
    private final String topic;
    private final int queueId;
    private final int unitsPerFile;
    private final List<Segment> segments = new CopyOnWriteArrayList<>();
    /** Writer-thread scratch. */
    private final ByteBuffer unit = ByteBuffer.allocate(UNIT_SIZE);
    /** Invariant: minOffset <= maxOffset; units [minOffset, maxOffset) are readable. */
    private volatile long minOffset;
    /** The next queue offset to append (= number of units ever written, before truncation). */
    private volatile long maxOffset;
    /** Physical offset of the last unit, staged ones included, or -1 if the queue has no unit. */
    private long lastPhysicalOffset = -1;
    /** Writer-thread staging (allocated on first use): stagedCount units, neither written nor readable yet. */
    private ByteBuffer staged;
    private int stagedCount;

    /** A segment file; unit i of the queue sits at byte (i - base) * 20 of the segment whose base <= i. */
    private static final class Segment {
        final long base;
        final Path path;
        final FileChannel channel;
        volatile int units;
        boolean dirty;

        Segment(long base, Path path, FileChannel channel, int units) {
            this.base = base;
            this.path = path;
            this.channel = channel;
            this.units = units;
        }
    }

    private ConsumeQueue(Path dir, String topic, int queueId, int unitsPerFile) {
        this.dir = dir;
        this.topic = topic;
        this.queueId = queueId;
        this.unitsPerFile = unitsPerFile;
    }

    /**
     * Opens (creating if absent) the queue stored in {@code dir} and recovers it (class javadoc).
     *
     * @throws ConsumeQueueCorruptException if the files fail validation
     * @throws IOException                  on I/O failure
     */
    public static ConsumeQueue open(Path dir, String topic, int queueId, int unitsPerFile) throws IOException {
        Verify.argument(unitsPerFile > 0, "unitsPerFile must be positive");
        Files.createDirectories(dir);
        ConsumeQueue q = new ConsumeQueue(dir, topic, queueId, unitsPerFile);
        try {
            q.loadSegments();
            q.validateUnits();
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
     * Appends the unit for queue offset {@code queueOffset} and makes it readable at once: {@link #stage} then
     * {@link #commitStaged}.
     *
     * @throws IOException on I/O failure (the unit may be partly written; recovery drops it)
     */
    public void append(long queueOffset, long physicalOffset, int size, long tagsCode) throws IOException {
        stage(queueOffset, physicalOffset, size, tagsCode);
        commitStaged();
    }

    /**
     * Stages the unit for queue offset {@code queueOffset}, which must equal {@link #maxOffset()} plus the units
     * already staged (or be larger if the queue holds no unit and none is staged: it then starts there); its
     * physical offset must exceed the previous unit's. A staged unit is neither written nor readable until
     * {@link #commitStaged}, which writes all staged units with one write: the dispatcher stages a whole batch of
     * records and commits each queue it touched once. Stages that fill the buffer or the segment commit by
     * themselves.
     *
     * @return true if this is the first staged unit since the last commit (the caller must commit this queue)
     * @throws IOException on I/O failure of an implied commit or segment start
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
        if (stagedCount > 0 && (stagedCount == STAGED_UNITS_MAX || stagedCount == roomInLastSegment())) {
            commitStaged();
        }
        if (staged == null) {
            staged = ByteBuffer.allocateDirect(UNIT_SIZE * STAGED_UNITS_MAX);
        }
        staged.putLong(physicalOffset).putInt(size).putLong(tagsCode);
        stagedCount++;
        lastPhysicalOffset = physicalOffset;
        return stagedCount == 1;
    }

    /**
     * Writes the staged units with one write and publishes them to readers (segment units, then maxOffset).
     *
     * @return whether anything was staged
     * @throws IOException on I/O failure (units may be partly written; recovery drops them; the writer must stop)
     */
    public boolean commitStaged() throws IOException {
        if (stagedCount == 0) {
            return false;
        }
        Segment s = writableSegment();
        Verify.state(s.units + stagedCount <= unitsPerFile, "staged units cross a segment end", s.units,
                stagedCount);
        staged.flip();
        writeFully(s.channel, staged, (long) s.units * UNIT_SIZE);
        staged.clear();
        s.units += stagedCount;
        s.dirty = true;
        maxOffset += stagedCount;
        stagedCount = 0;
        return true;
    }

    /** Units that still fit before a new segment must start. */
    private int roomInLastSegment() {
        return segments.isEmpty() || last().units == unitsPerFile ? unitsPerFile : unitsPerFile - last().units;
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
        int copied = 0;
        while (copied < want) {
            long offset = queueOffset + copied;
            Segment s = segmentFor(offset);
            int n = (int) Math.min(want - copied, s.base + s.units - offset);
            int start = dst.position();
            ByteBuffer window = dst.slice(start, n * UNIT_SIZE);
            readFully(s.channel, window, (offset - s.base) * UNIT_SIZE);
            dst.position(start + n * UNIT_SIZE);
            copied += n;
        }
        return copied;
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
     * Keeps units [.., queueOffset) and drops the rest; {@code minOffset <= queueOffset <= maxOffset}.
     */
    public void truncateTo(long queueOffset) throws IOException {
        Verify.state(stagedCount == 0, "truncation with units staged", stagedCount, queueOffset);
        Verify.state(queueOffset >= minOffset, "truncate below min offset", queueOffset, minOffset);
        Verify.state(queueOffset <= maxOffset, "truncate above max offset", queueOffset, maxOffset);
        while (segments.size() > 1 && last().base >= queueOffset) {
            Segment s = segments.remove(segments.size() - 1);
            s.channel.close();
            Files.delete(s.path);
        }
        Segment s = last();
        s.units = (int) Math.max(0, queueOffset - s.base);
        s.channel.truncate((long) s.units * UNIT_SIZE);
        s.dirty = true;
        maxOffset = queueOffset;
        lastPhysicalOffset = maxOffset > minOffset ? physicalOffsetAt(maxOffset - 1) : -1;
    }

    /** Drops every unit whose physical offset is {@code >= physicalPosition}; returns the new maxOffset. */
    public long truncateFromPhysical(long physicalPosition) throws IOException {
        long keep = firstOffsetWithPhysicalAtLeast(physicalPosition);
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
        long newMin = Math.max(minOffset, firstOffsetWithPhysicalAtLeast(physicalFloor));
        minOffset = newMin;
        int deleted = 0;
        while (segments.size() > 1 && segments.get(0).base + segments.get(0).units <= newMin) {
            Segment s = segments.remove(0);
            s.channel.close();
            Files.delete(s.path);
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
        ByteBuffer scratch = ByteBuffer.allocate(8);
        long lo = minOffset;
        long hi = maxOffset;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (storeTimeOfPhysical.applyAsLong(physicalOffsetAt(mid, scratch)) < timestampMs) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Commits staged units, then forces written segments to disk. */
    public void flush() throws IOException {
        commitStaged();
        for (Segment s : segments) {
            if (s.dirty) {
                s.channel.force(false);
                s.dirty = false;
            }
        }
    }

    /** Closes the segment files (staged units are dropped: commit or flush first); the queue is unusable after. */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (Segment s : segments) {
            try {
                s.channel.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        segments.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /** Physical offset of the unit at {@code queueOffset} in [segment 0 base, maxOffset). */
    long physicalOffsetAt(long queueOffset) throws IOException {
        return physicalOffsetAt(queueOffset, unit);
    }

    private long physicalOffsetAt(long queueOffset, ByteBuffer scratch) throws IOException {
        Segment s = segmentFor(queueOffset);
        scratch.clear().limit(8);
        readFully(s.channel, scratch, (queueOffset - s.base) * UNIT_SIZE);
        return scratch.getLong(0);
    }

    private long firstOffsetWithPhysicalAtLeast(long physicalPosition) throws IOException {
        long lo = minOffset;
        long hi = maxOffset;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (physicalOffsetAt(mid) < physicalPosition) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private Segment last() {
        return segments.get(segments.size() - 1);
    }

    /**
     * The segment holding {@code queueOffset}.
     *
     * @throws IOException when no segment holds it: a reader raced retention or truncation (it checked the bounds
     *                     before they moved)
     */
    private Segment segmentFor(long queueOffset) throws IOException {
        Segment[] all = segments.toArray(NO_SEGMENTS); // a snapshot: retention may remove entries meanwhile
        int lo = 0;
        int hi = all.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (all[mid].base <= queueOffset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Segment s = hi < 0 ? null : all[lo];
        if (s == null || queueOffset < s.base || queueOffset >= s.base + s.units) {
            throw new IOException("queue offset " + queueOffset + " of " + topic + "-" + queueId
                + " is no longer held (retention or truncation ran during this read)");
        }
        return s;
    }

    /**
     * Starts a queue that holds no unit at {@code queueOffset} (a rebuild after the log head was deleted): the
     * segment holding it gets a hole of zero units before it, which recovery skips as below minOffset.
     */
    private void startAt(long queueOffset) throws IOException {
        for (Segment old : segments) {
            old.channel.close();
            Files.delete(old.path);
        }
        segments.clear();
        long base = queueOffset - queueOffset % unitsPerFile;
        Segment s = createSegment(base);
        s.units = (int) (queueOffset - base);
        segments.add(s);
        minOffset = queueOffset;
        maxOffset = queueOffset;
    }

    private Segment writableSegment() throws IOException {
        if (segments.isEmpty()) {
            segments.add(createSegment(maxOffset));
        } else if (last().units == unitsPerFile) {
            segments.add(createSegment(last().base + unitsPerFile));
        }
        return last();
    }

    private Segment createSegment(long base) throws IOException {
        Verify.state(base % unitsPerFile == 0, "segment base not aligned", base, unitsPerFile);
        Path path = dir.resolve(fileName(base));
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new Segment(base, path, ch, 0);
    }

    /** The file name of the segment whose first unit is {@code baseQueueOffset}. */
    public static String fileName(long baseQueueOffset) {
        return String.format("%020d", baseQueueOffset * UNIT_SIZE);
    }

    private void loadSegments() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().matches("\\d{" + FILE_NAME_DIGITS + "}"))
                    .sorted().toList();
        }
        long expectedBase = -1;
        for (Path p : files) {
            long byteOffset = Long.parseLong(p.getFileName().toString());
            long unitsBytes = (long) unitsPerFile * UNIT_SIZE;
            if (byteOffset % unitsBytes != 0 || (expectedBase >= 0 && byteOffset / UNIT_SIZE != expectedBase)) {
                throw new ConsumeQueueCorruptException("misplaced segment " + p + " (expected base " + expectedBase
                        + ", units per file " + unitsPerFile + ")");
            }
            long base = byteOffset / UNIT_SIZE;
            FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
            segments.add(new Segment(base, p, ch, 0));
            long size = ch.size();
            if (size > unitsBytes) {
                throw new ConsumeQueueCorruptException("segment " + p + " larger than " + unitsBytes + " bytes");
            }
            segments.get(segments.size() - 1).units = (int) (size / UNIT_SIZE);
            expectedBase = base + unitsPerFile;
        }
        for (int i = 0; i + 1 < segments.size(); i++) {
            if (segments.get(i).units != unitsPerFile) {
                throw new ConsumeQueueCorruptException("sealed segment " + segments.get(i).path + " is not full");
            }
        }
        if (!segments.isEmpty()) {
            minOffset = segments.get(0).base;
            maxOffset = last().base + last().units;
        }
    }

    /** Checks units are positive-sized and strictly increasing; cuts an invalid tail of the last segment. */
    private void validateUnits() throws IOException {
        if (segments.isEmpty()) {
            return;
        }
        if (last().channel.size() % UNIT_SIZE != 0) {
            LOG.warn("consume queue {}-{}: dropping torn partial unit at the end of {}", topic, queueId, last().path);
            last().channel.truncate((long) last().units * UNIT_SIZE);
        }
        long previous = -1;
        ByteBuffer buf = ByteBuffer.allocate(UNIT_SIZE * 256);
        for (Segment s : segments) {
            int i = s == segments.get(0) ? skipLeadingHole(s, buf) : 0;
            while (i < s.units) {
                int n = Math.min(256, s.units - i);
                buf.clear().limit(n * UNIT_SIZE);
                readFully(s.channel, buf, (long) i * UNIT_SIZE);
                int bad = firstInvalidUnit(buf, n, previous);
                if (bad >= 0) {
                    cutTail(s, i + bad);
                    return;
                }
                previous = buf.getLong((n - 1) * UNIT_SIZE);
                i += n;
            }
        }
        lastPhysicalOffset = maxOffset > minOffset ? previous : -1;
    }

    /** Counts the all-zero units at the start of the first segment (see {@link #startAt}); sets minOffset. */
    private int skipLeadingHole(Segment s, ByteBuffer buf) throws IOException {
        int i = 0;
        while (i < s.units) {
            buf.clear().limit(UNIT_SIZE);
            readFully(s.channel, buf, (long) i * UNIT_SIZE);
            if (buf.getLong(0) != 0 || buf.getInt(8) != 0 || buf.getLong(12) != 0) {
                break;
            }
            i++;
        }
        minOffset = s.base + i;
        return i;
    }

    private static int firstInvalidUnit(ByteBuffer buf, int n, long previousPhysical) {
        long previous = previousPhysical;
        for (int k = 0; k < n; k++) {
            long physical = buf.getLong(k * UNIT_SIZE + PHYSICAL_OFFSET_OFFSET);
            int size = buf.getInt(k * UNIT_SIZE + SIZE_OFFSET);
            if (physical <= previous || size <= 0) {
                return k;
            }
            previous = physical;
        }
        return -1;
    }

    private void cutTail(Segment s, int unitIndex) throws IOException {
        if (s != last()) {
            throw new ConsumeQueueCorruptException("invalid unit " + unitIndex + " in sealed segment " + s.path);
        }
        LOG.warn("consume queue {}-{}: dropping {} invalid tail units from queue offset {}", topic, queueId,
                s.units - unitIndex, s.base + unitIndex);
        s.units = unitIndex;
        s.channel.truncate((long) unitIndex * UNIT_SIZE);
        maxOffset = s.base + unitIndex;
        lastPhysicalOffset = maxOffset > minOffset ? physicalOffsetAt(maxOffset - 1) : -1;
    }

    private static void writeFully(FileChannel ch, ByteBuffer src, long position) throws IOException {
        long p = position;
        while (src.hasRemaining()) {
            p += ch.write(src, p);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long p = position;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, p);
            if (n < 0) {
                throw new java.io.EOFException("consume queue segment shorter than expected at " + p);
            }
            p += n;
        }
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
