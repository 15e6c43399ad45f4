package io.raftmq.commitlog.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery of one {@link ConsumeQueue} on open: loads its segment files and finds its bounds. Segment files have a
 * fixed size and unwritten units read as zeros, so the written units of a segment are found by scanning: a unit is
 * valid when its size is positive and its physical offset exceeds the previous unit's.
 *
 * <ul>
 *   <li>names must be multiples of the segment size and consecutive, and no file may exceed the segment size;</li>
 *   <li>the first segment may begin with a hole of all-zero units (a queue started at a non-zero offset): minOffset
 *       is the first unit after it;</li>
 *   <li>every sealed (non-last) segment must be full of valid units;</li>
 *   <li>in the last segment the first invalid unit ends the queue (maxOffset); non-zero units after it (a torn
 *       unit, garbage, pages of unforced writes that reached the disk out of order) are zeroed, and logged, up to
 *       the first run of {@value #TAIL_ZERO_RUN_UNITS} zero units, so that later appends do not join up with
 *       them. The scan stops there to keep opening many queues cheap; anything farther lies beyond every forced
 *       unit, and the dispatcher cuts each queue back to its checkpoint and checks its max offset anyway.</li>
 * </ul>
 * Any other failure is a {@link ConsumeQueueCorruptException}: the owner rebuilds the queue from the CommitLog.
 */
final class ConsumeQueueRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumeQueueRecovery.class);
    /** Units read per chunk while scanning. */
    private static final int SCAN_UNITS = 256;
    /** Zero units in a row after the queue's end that stop the search for a non-zero tail (20 KiB, 5 pages). */
    static final int TAIL_ZERO_RUN_UNITS = 1024;

    /** The recovered bounds: units [minOffset, maxOffset) are readable; lastPhysicalOffset is -1 if none. */
    record Bounds(long minOffset, long maxOffset, long lastPhysicalOffset) {
    }

    private final QueueSegments segments;
    private final ByteBuffer chunk = ByteBuffer.allocate(ConsumeQueue.UNIT_SIZE * SCAN_UNITS);
    /** Physical offset of the last valid unit seen so far, -1 before the first. */
    private long previous = -1;

    private ConsumeQueueRecovery(QueueSegments segments) {
        this.segments = segments;
    }

    /**
     * Opens every segment file of the (empty) {@code segments} and recovers the queue's bounds (class javadoc).
     *
     * @throws ConsumeQueueCorruptException if the files fail validation
     */
    static Bounds recover(QueueSegments segments) throws IOException {
        ConsumeQueueRecovery r = new ConsumeQueueRecovery(segments);
        r.loadSegments();
        if (segments.isEmpty()) {
            return new Bounds(0, 0, -1);
        }
        return r.scanUnits();
    }

    private void loadSegments() throws IOException {
        List<String> names = new ArrayList<>();
        for (String name : segments.storage().list(segments.dir())) {
            if (name.matches("\\d{" + QueueSegments.FILE_NAME_DIGITS + "}")) {
                names.add(name);
            }
        }
        long expectedBase = -1;
        for (String name : names) {
            long byteOffset = Long.parseLong(name);
            if (byteOffset % segments.fileBytes() != 0
                    || (expectedBase >= 0 && byteOffset / ConsumeQueue.UNIT_SIZE != expectedBase)) {
                throw new ConsumeQueueCorruptException("misplaced segment " + segments.dir().resolve(name)
                        + " (expected base " + expectedBase + ", units per file " + segments.unitsPerFile() + ")");
            }
            long size = segments.storage().size(segments.dir().resolve(name));
            if (size > segments.fileBytes()) {
                throw new ConsumeQueueCorruptException("segment " + segments.dir().resolve(name) + " larger than "
                        + segments.fileBytes() + " bytes");
            }
            long base = byteOffset / ConsumeQueue.UNIT_SIZE;
            segments.openExisting(base, name);
            expectedBase = base + segments.unitsPerFile();
        }
    }

    /** Scans every segment; sets each one's units and returns the queue's bounds. */
    private Bounds scanUnits() throws IOException {
        QueueSegment first = segments.first();
        int hole = leadingZeroUnits(first);
        long minOffset = first.base + hole;
        for (int i = 0; i < segments.size(); i++) {
            QueueSegment s = segments.get(i);
            int start = i == 0 ? hole : 0;
            int end = firstInvalidUnit(s, start);
            if (i + 1 < segments.size()) {
                checkSealed(s, end);
                s.units = end;
            } else {
                dropTail(s, end);
                s.units = end;
                long maxOffset = s.base + end;
                return new Bounds(Math.min(minOffset, maxOffset), maxOffset, maxOffset > minOffset ? previous : -1);
            }
        }
        throw new IllegalStateException("unreachable: the loop returns at the last segment");
    }

    /** All-zero units at the start of {@code s} (see {@link ConsumeQueue#stage}); 0 if the whole file is zeros. */
    private int leadingZeroUnits(QueueSegment s) throws IOException {
        int capacity = s.capacityUnits();
        for (int i = 0; i < capacity; ) {
            int n = readChunk(s, i, capacity);
            for (int k = 0; k < n; k++) {
                if (!isZero(k)) {
                    return i + k;
                }
            }
            i += n;
        }
        return 0;
    }

    /** Index of the first invalid unit of {@code s} at or after {@code start}, or its capacity if none. */
    private int firstInvalidUnit(QueueSegment s, int start) throws IOException {
        int capacity = s.capacityUnits();
        for (int i = start; i < capacity; ) {
            int n = readChunk(s, i, capacity);
            for (int k = 0; k < n; k++) {
                long physical = chunk.getLong(k * ConsumeQueue.UNIT_SIZE + ConsumeQueue.PHYSICAL_OFFSET_OFFSET);
                int size = chunk.getInt(k * ConsumeQueue.UNIT_SIZE + ConsumeQueue.SIZE_OFFSET);
                if (physical <= previous || size <= 0) {
                    return i + k;
                }
                previous = physical;
            }
            i += n;
        }
        return capacity;
    }

    private void checkSealed(QueueSegment s, int end) throws IOException {
        if (end == s.capacityUnits()) {
            return;
        }
        readChunk(s, end, end + 1);
        if (isZero(0)) {
            throw new ConsumeQueueCorruptException("sealed segment " + s.path() + " is not full (" + end
                    + " units)");
        }
        throw new ConsumeQueueCorruptException("invalid unit " + end + " in sealed segment " + s.path());
    }

    /** Zeroes the non-zero units that follow the valid ones in the last segment (class javadoc). */
    private void dropTail(QueueSegment s, int end) throws IOException {
        int capacity = s.capacityUnits();
        int lastNonZero = -1;
        for (int i = end; i < capacity && i - Math.max(end, lastNonZero + 1) < TAIL_ZERO_RUN_UNITS; ) {
            int n = readChunk(s, i, capacity);
            for (int k = 0; k < n; k++) {
                if (!isZero(k)) {
                    lastNonZero = i + k;
                }
            }
            i += n;
        }
        if (lastNonZero >= 0) {
            LOG.warn("consume queue {}: dropping invalid tail units [{}, {}] after queue offset {} in {}",
                    segments.queueName(), s.base + end, s.base + lastNonZero, s.base + end, s.path());
            s.zero(end, lastNonZero + 1);
        }
    }

    /** Reads units [from, min(from + SCAN_UNITS, to)) of {@code s} into the chunk; returns how many. */
    private int readChunk(QueueSegment s, int from, int to) throws IOException {
        int n = Math.min(SCAN_UNITS, to - from);
        chunk.clear().limit(n * ConsumeQueue.UNIT_SIZE);
        s.read(from, 0, chunk);
        return n;
    }

    private boolean isZero(int k) {
        int at = k * ConsumeQueue.UNIT_SIZE;
        return chunk.getLong(at) == 0 && chunk.getLong(at + 8) == 0 && chunk.getInt(at + 16) == 0;
    }
}
