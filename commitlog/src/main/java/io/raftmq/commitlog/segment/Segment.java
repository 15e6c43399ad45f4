package io.raftmq.commitlog.segment;

import io.raftmq.commitlog.io.StorageFile;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One preallocated file of a {@link SegmentList} together with its base (the absolute log position, or for index
 * segments the first index, of its first byte/unit). Reference-counted so that retention or truncation can close
 * (and, for mapped files, unmap) it only after in-flight readers are done: the list holds one reference, readers
 * and the flush agent take one with {@link #retain()} for the duration of a call.
 *
 * <p>Invariant: refs > 0 while the segment is in its list; the file is closed exactly once, when refs drops to 0.
 */
public final class Segment {
    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);
    private final long base;
    private final StorageFile file;
    private final AtomicInteger refs = new AtomicInteger(1);
    /** Offset below which the {@link Preallocator} has written (and forced) real zeros; 0 if unknown. */
    private volatile long zeroedTo;

    public Segment(long base, StorageFile file) {
        this.base = base;
        this.file = file;
    }

    /** Absolute position (log) or first index (index file) of this segment. */
    public long base() {
        return base;
    }

    public long capacity() {
        return file.capacity();
    }

    /** Exclusive end: base + capacity. */
    public long end() {
        return base + file.capacity();
    }

    public StorageFile file() {
        return file;
    }

    /** Takes a reader reference; false if the segment was already retired and closed. Any thread. */
    public boolean retain() {
        for (;;) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference taken by {@link #retain()} (or the list's own by {@link #retire()}); closes at zero. */
    public void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            try {
                file.close();
            } catch (IOException e) {
                LOG.warn("closing {} failed", file.path(), e);
            }
        }
    }

    /** Drops the list's reference; called once, after removing the segment from its list. */
    public void retire() {
        release();
    }

    /** Offset below which the preallocator wrote and forced zeros (blocks allocated); 0 when unknown. */
    public long zeroedTo() {
        return zeroedTo;
    }

    /** Preallocator only: records that [0, offset) beyond the writer is zero-filled and forced. */
    void markZeroedTo(long offset) {
        if (offset > zeroedTo) {
            zeroedTo = offset;
        }
    }

    /** True once the file is closed (every reference released). */
    public boolean isClosed() {
        return refs.get() <= 0;
    }

    @Override
    public String toString() {
        return file.path().toString();
    }
}
