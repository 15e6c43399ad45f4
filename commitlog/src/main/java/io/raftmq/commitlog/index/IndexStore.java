package io.raftmq.commitlog.index;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.commitlog.segment.Segment;
import io.raftmq.commitlog.segment.SegmentList;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The raft-index file: {@link IndexUnit}s for contiguous indices, split into segment files of
 * {@code unitsPerSegment} units named by their first index ({@code 00000000000000000000.idx}). Indices must be
 * >= 0. Derived data: written in the append critical section without forcing, forced by the flush agent before a
 * checkpoint, and repaired or rebuilt from the log by recovery.
 *
 * <p>The units put most recently ({@value #RECENT_UNITS}) are also kept in memory ({@link RecentUnits}):
 * {@link #recentPosition} and {@link #recentTerm} answer for them without reading the file.
 *
 * <p>Thread-safety: {@link #put}/{@link #flushStaged}/{@link #removeFrom}/{@link #removeBefore} run under the
 * log's append lock; {@link #read} is safe from any thread (a per-thread scratch buffer, no allocation), and so are
 * the recent lookups.
 */
public final class IndexStore {
    /** Units remembered in memory, the newest ones (a power of two). */
    static final int RECENT_UNITS = 4096;
    private final SegmentList segments;
    private final RecentUnits recent = new RecentUnits(RECENT_UNITS);
    private final int unitsPerSegment;
    private final ByteBuffer staging;
    private final CRC32C crc = new CRC32C();
    private long stagedFirst = -1;
    private int stagedCount;
    private final ThreadLocal<ByteBuffer> scratch =
        ThreadLocal.withInitial(() -> ByteBuffer.allocate(IndexUnit.LENGTH));
    private final ThreadLocal<CRC32C> readCrc = ThreadLocal.withInitial(CRC32C::new);

    public IndexStore(StorageProvider storage, Path dir, int unitsPerSegment, int stagedUnitsMax) {
        this.segments = new SegmentList(storage, dir, ".idx", (long) unitsPerSegment * IndexUnit.LENGTH,
            IndexUnit.LENGTH);
        this.unitsPerSegment = unitsPerSegment;
        this.staging = ByteBuffer.allocateDirect(stagedUnitsMax * IndexUnit.LENGTH);
    }

    public void load() throws IOException {
        segments.load();
    }

    public SegmentList segments() {
        return segments;
    }

    /** Stages the unit for {@code index}; indices must follow each other within one staging run. */
    public void put(long index, long position, long term) throws IOException {
        Verify.state(index >= 0, "negative raft index", index);
        if (stagedCount > 0 && (index != stagedFirst + stagedCount || staging.remaining() < IndexUnit.LENGTH)) {
            flushStaged();
        }
        if (stagedCount == 0) {
            stagedFirst = index;
            staging.clear();
        }
        IndexUnit.write(staging, stagedCount * IndexUnit.LENGTH, position, term, index, crc);
        recent.remember(index, position, term);
        stagedCount++;
        staging.position(stagedCount * IndexUnit.LENGTH);
    }

    /** Writes staged units to their index segments (creating them as needed). */
    public void flushStaged() throws IOException {
        if (stagedCount == 0) {
            return;
        }
        int done = 0;
        try {
            while (done < stagedCount) {
                long index = stagedFirst + done;
                long base = index - Math.floorMod(index, (long) unitsPerSegment);
                int n = (int) Math.min(stagedCount - done, base + unitsPerSegment - index);
                Segment seg = segments.getOrCreate(slot(base));
                staging.limit((done + n) * IndexUnit.LENGTH).position(done * IndexUnit.LENGTH);
                seg.file().write(slot(index) - seg.base(), staging);
                done += n;
            }
        } finally {
            stagedCount = 0;
            staging.clear();
        }
    }

    /** Drops staged units (the batch they belonged to failed). */
    public void discardStaged() {
        if (stagedCount > 0) {
            recent.forgetFrom(stagedFirst);
        }
        stagedCount = 0;
        staging.clear();
    }

    /**
     * Forgets the remembered units at or above {@code index}: a failed group's units (some may have been flushed
     * before it failed). Append lock.
     */
    public void forgetFrom(long index) {
        recent.forgetFrom(index);
    }

    /**
     * The position in the unit of {@code index} if it is one of the units put most recently, else -1 (read it).
     * The caller has checked that {@code index} is in the log. Any thread.
     */
    public long recentPosition(long index) {
        return recent.position(index);
    }

    /** As {@link #recentPosition}, the term. Any thread. */
    public long recentTerm(long index) {
        return recent.term(index);
    }

    /** Byte slot of an index in the virtual concatenation of index segments (segment bases are byte slots). */
    private static long slot(long index) {
        return index * IndexUnit.LENGTH;
    }

    /**
     * Reads the unit of {@code index} into the caller's thread scratch buffer and returns it (position 0), or null
     * when the unit is missing or invalid. Any thread; the buffer is valid until this thread's next read.
     */
    public ByteBuffer read(long index) throws IOException {
        Segment seg = segments.find(slot(index));
        if (seg == null || !seg.retain()) {
            return null;
        }
        ByteBuffer b = scratch.get();
        try {
            b.clear();
            seg.file().read(slot(index) - seg.base(), b);
        } finally {
            seg.release();
        }
        b.flip();
        return IndexUnit.isValid(b, 0, index, readCrc.get()) ? b : null;
    }

    /**
     * Reads the units of [index, index + n) with one read into {@code dst} (from 0; flipped, so position 0 and limit
     * {@code n * LENGTH}): n is the least of {@code countMax}, the units {@code dst} holds and the units left in the
     * segment of {@code index}. Returns n, or 0 if that segment is missing. Units are not checked. Recovery only.
     */
    public int readRun(long index, long countMax, ByteBuffer dst) throws IOException {
        Verify.state(countMax > 0, "empty run", index, countMax);
        Segment seg = segments.find(slot(index));
        if (seg == null) {
            return 0;
        }
        long inSegment = (seg.end() - slot(index)) / IndexUnit.LENGTH;
        int n = (int) Math.min(Math.min(countMax, inSegment), dst.capacity() / IndexUnit.LENGTH);
        Verify.state(n > 0, "no unit fits", index, dst.capacity());
        dst.clear().limit(n * IndexUnit.LENGTH);
        seg.file().read(slot(index) - seg.base(), dst);
        dst.flip();
        return n;
    }

    /** Forces every index segment that may hold units in [fromIndex, toIndex). Flush agent / recovery. */
    public void force(long fromIndex, long toIndex) throws IOException {
        if (toIndex <= fromIndex) {
            return;
        }
        for (Segment seg : segments.all()) {
            long firstIdx = seg.base() / IndexUnit.LENGTH;
            if (firstIdx + unitsPerSegment > fromIndex && firstIdx < toIndex && seg.retain()) {
                try {
                    seg.file().force();
                } finally {
                    seg.release();
                }
            }
        }
    }

    /** Deletes index segments that only hold indices >= {@code index} (their units are stale after truncation). */
    public void removeFrom(long index) throws IOException {
        recent.forgetFrom(index);
        long base = index - Math.floorMod(index, (long) unitsPerSegment);
        long firstWhole = base == index ? base : base + unitsPerSegment;
        segments.removeFrom(slot(firstWhole));
    }

    /** Deletes index segments holding only indices < {@code index} (retention). */
    public void removeBefore(long index) throws IOException {
        segments.removeBefore(slot(index));
    }

    /**
     * Deletes every index segment (rebuild or reset) and drops staged units: flushed later they would recreate a
     * segment above the ones the rebuild writes next (recovery staged the tail scan's units before deciding to
     * rebuild; found by CoalescedAppendTest's crash, "segments must be created in order").
     */
    public void removeAll() throws IOException {
        discardStaged();
        recent.forgetAll();
        segments.removeFrom(Long.MIN_VALUE);
    }

    public void close() {
        segments.closeAll();
    }
}
