package io.raftmq.commitlog.queue;

import io.raftmq.commitlog.error.Verify;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * The newest units of one {@link ConsumeQueue} in memory: a ring of {@link #CAPACITY_UNITS} units, the unit of queue
 * offset q at slot {@code q % CAPACITY_UNITS} (same 20-byte layout as the files). The queue stages every unit here
 * first and writes the ring to its files in pieces later; readers copy the newest units from here, older ones
 * from the files.
 *
 * <p>Validity: the slots hold the units [{@link #floor()}, the queue's staged end); the writer raises the floor past a
 * slot before it overwrites the slot and never lets the floor pass a unit that is not in the files yet, so a unit
 * below the floor is always in the files. A reader copies without a lock and then checks that neither the floor
 * passed what it copied nor a truncation or reset ({@link #invalidate}, {@link #restartAt}) happened meanwhile
 * (a sequence-lock read: the copy is ordered before the check by a load fence, the writer's floor and generation
 * stores before its slot writes by a store fence); on failure it reads the unit again, from the files.
 *
 * <p>Threading: one writer ({@link #put}, {@link #restartAt}, {@link #invalidate}, {@link #writerView}); any
 * number of readers ({@link #floor}, {@link #copy}).
 */
final class UnitRing {
    /** Units the ring holds (a power of two); at most this many units of a queue are not yet in its files. */
    static final int CAPACITY_UNITS = 256;
    private static final int MASK = CAPACITY_UNITS - 1;

    static {
        Verify.state(Integer.bitCount(CAPACITY_UNITS) == 1, "ring capacity must be a power of two", CAPACITY_UNITS);
    }

    /** On the heap, not direct: a broker may hold thousands of queues (5 KiB each), all within its heap limit. */
    private final ByteBuffer slots = ByteBuffer.allocate(CAPACITY_UNITS * ConsumeQueue.UNIT_SIZE);
    /** Writer's view for writes to the files (position and limit are the writer's). */
    private final ByteBuffer writerView = slots.duplicate();
    /** Invariant: slots hold the units [floor, staged end); floor <= the queue's written offset. */
    private volatile long floor;
    /** Bumped by every truncation or reset, so a reader racing one discards its copy. */
    private volatile long generation;

    /** A ring whose first unit will be {@code queueOffset}. */
    UnitRing(long queueOffset) {
        this.floor = queueOffset;
    }

    /** Units at or above this offset (and below the queue's bounds) are read from the ring. Any thread. */
    long floor() {
        return floor;
    }

    /**
     * Writer: puts the unit of {@code queueOffset} into its slot, first raising the floor past the unit the slot
     * held. The caller guarantees that unit is in the files ({@code queueOffset - writtenOffset < CAPACITY_UNITS}).
     */
    void put(long queueOffset, long physicalOffset, int size, long tagsCode) {
        long lowest = queueOffset - CAPACITY_UNITS + 1;
        if (floor < lowest) {
            floor = lowest;
            VarHandle.storeStoreFence(); // readers see the new floor before any byte of the new slot
        }
        int at = slot(queueOffset) * ConsumeQueue.UNIT_SIZE;
        slots.putLong(at + ConsumeQueue.PHYSICAL_OFFSET_OFFSET, physicalOffset);
        slots.putInt(at + ConsumeQueue.SIZE_OFFSET, size);
        slots.putLong(at + ConsumeQueue.TAGS_CODE_OFFSET, tagsCode);
    }

    /** Writer: the units at and above some offset changed meaning (truncated); readers racing it retry. */
    void invalidate() {
        generation = generation + 1;
        VarHandle.storeStoreFence();
    }

    /** Writer: the ring holds nothing; its next unit is {@code queueOffset}, which is the queue's written offset. */
    void restartAt(long queueOffset) {
        generation = generation + 1;
        floor = queueOffset;
        VarHandle.storeStoreFence();
    }

    /** How many of the {@code n} units from {@code queueOffset} on lie in the ring without wrapping. */
    static int contiguous(long queueOffset, long n) {
        return (int) Math.min(n, CAPACITY_UNITS - slot(queueOffset));
    }

    /** Writer: a view of the {@code n} units from {@code queueOffset} on (they must not wrap), for a file write. */
    ByteBuffer writerView(long queueOffset, int n) {
        Verify.state(n > 0 && slot(queueOffset) + n <= CAPACITY_UNITS, "ring view wraps", queueOffset, n);
        int at = slot(queueOffset) * ConsumeQueue.UNIT_SIZE;
        return writerView.limit(at + n * ConsumeQueue.UNIT_SIZE).position(at);
    }

    /**
     * Reader: copies the {@code n} units from {@code queueOffset} on (they must not wrap) into {@code dst} at
     * {@code dstIndex} (absolute; dst's position is untouched).
     *
     * @return false if the copy may be torn (the floor passed it or a truncation happened): read them elsewhere
     */
    boolean copy(long queueOffset, int n, ByteBuffer dst, int dstIndex) {
        long gen = generation;
        if (queueOffset < floor) {
            return false;
        }
        dst.put(dstIndex, slots, slot(queueOffset) * ConsumeQueue.UNIT_SIZE, n * ConsumeQueue.UNIT_SIZE);
        VarHandle.loadLoadFence(); // the copy happens before the re-check below
        return generation == gen && floor <= queueOffset;
    }

    private static int slot(long queueOffset) {
        return (int) (queueOffset & MASK);
    }
}
