package io.raftmq.commitlog;

import io.raftmq.commitlog.error.Verify;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * The newest bytes written to the log, kept in memory so that reads of what was just appended (the dispatcher
 * building the consume queues from each committed record, a leader answering from its newest records) copy them
 * from here instead of asking the file system: a ring of {@code capacity} bytes holding the log bytes
 * [{@link #floor()}, end), the byte at log position p at ring offset {@code p % capacity}. {@link LogWriter} copies
 * every piece it writes to a segment file here right after the write (so before the records are published to
 * readers); readers ({@link LogReader}) take bytes from here when the whole range is here and read the file
 * otherwise (after a restart, for lagging readers, across a segment roll). The bytes are the file's bytes, so
 * every check a reader makes (record crc) still applies.
 *
 * <p>Validity: the ring holds [floor, end) contiguously; a write that does not continue at end (the first after a
 * segment roll, recovery or reset) restarts the ring there; the writer raises the floor before it overwrites
 * older bytes. A reader copies without a lock, then checks that neither the floor passed what it copied nor a
 * truncation happened meanwhile ({@link #truncateTo} bumps a generation): a sequence-lock read, the copy ordered
 * before the check by a load fence, the writer's floor and generation stores before its byte writes by a store
 * fence. A failed check sends the reader to the file.
 *
 * <p>Threading: one writer (the holder of the append lock: {@link #written}, {@link #truncateTo}); any number of
 * readers ({@link #copy}).
 */
final class RecentBytes {
    private final int capacity;
    private final ByteBuffer ring;
    /** Invariant: floor <= end, end - floor <= capacity; the ring holds the log bytes [floor, end). */
    private volatile long floor;
    /**
     * End of the bytes held. Readers check their range against it: the readable end may lie beyond it (a segment's
     * end after its filler, whose unwritten rest the ring never held).
     */
    private volatile long end;
    /** Bumped by every truncation, so a reader racing one discards its copy. */
    private volatile long generation;
    /** Reads served from the ring, for tests and metrics. */
    private final LongAdder hits = new LongAdder();

    RecentBytes(int capacity) {
        Verify.argument(capacity > 0, "recent bytes capacity must be positive");
        this.capacity = capacity;
        this.ring = ByteBuffer.allocateDirect(capacity);
    }

    /** Lowest log position held (bytes [floor, end) are here). Any thread. */
    long floor() {
        return floor;
    }

    /** Reads served from the ring since the log was opened. Any thread. */
    long hits() {
        return hits.sum();
    }

    /**
     * Writer: the log bytes [position, position + length) were just written; they are {@code src} [from,
     * from + length) (absolute indices; src's position and limit are untouched).
     */
    void written(long position, ByteBuffer src, int from, int length) {
        if (position != end) {
            restartAt(position);
        }
        int skip = Math.max(0, length - capacity); // only the last capacity bytes can be kept
        long at = position + skip;
        int n = length - skip;
        long newEnd = at + n;
        if (floor < newEnd - capacity) {
            floor = newEnd - capacity;
            VarHandle.storeStoreFence(); // readers see the new floor before any overwritten byte
        }
        int offset = (int) (at % capacity);
        int first = Math.min(n, capacity - offset);
        ring.put(offset, src, from + skip, first);
        if (first < n) {
            ring.put(0, src, from + skip + first, n - first);
        }
        end = newEnd;
    }

    /** Writer: the log now ends at {@code position} (truncation, recovery, reset); later bytes are dropped. */
    void truncateTo(long position) {
        generation = generation + 1;
        if (position < end) {
            end = position;
            if (floor > position) {
                floor = position;
            }
        } else {
            floor = position;
            end = position;
        }
        VarHandle.storeStoreFence();
    }

    /**
     * Reader: copies the log bytes [position, position + length), which must lie below the readable end, into
     * {@code dst} at its position and advances it, if the ring holds them all.
     *
     * @return false (dst untouched, apart from bytes beyond its position) if they are not all here
     */
    boolean copy(long position, int length, ByteBuffer dst) {
        long gen = generation;
        if (position < floor || position + length > end || length > capacity) {
            return false;
        }
        int start = dst.position();
        int offset = (int) (position % capacity);
        int first = Math.min(length, capacity - offset);
        dst.put(start, ring, offset, first);
        if (first < length) {
            dst.put(start + first, ring, 0, length - first);
        }
        VarHandle.loadLoadFence(); // the copy happens before the re-check below
        if (generation != gen || floor > position) {
            return false;
        }
        dst.position(start + length);
        hits.increment();
        return true;
    }

    private void restartAt(long position) {
        generation = generation + 1;
        floor = position;
        end = position;
        VarHandle.storeStoreFence();
    }
}
