package io.raftmq.commitlog.index;

import io.raftmq.commitlog.error.Verify;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The position and term of the raft indices put most recently into an {@link IndexStore}, in memory, so that the
 * lookups of entries just appended (every member's dispatch of what just committed asks the position of the entry
 * and of the next one) need no read of the index file: a ring of {@code slots} (a power of two) entries, slot =
 * index modulo slots, each {@code [index, position, term]}.
 *
 * <p>Thread-safety: one writer (the holder of the log's append lock: {@link #remember}, {@link #forgetFrom},
 * {@link #forgetAll}); {@link #position} and {@link #term} from any thread. A slot is invalidated (index -1) before
 * its values change and published by writing its index last; a reader that sees the same index before and after
 * reading a value got a value written for that index. A reader racing a truncation of that very index may get the
 * old record's value, as a read of the index file racing the truncation could; callers check the index against the
 * log's published range first.
 */
final class RecentUnits {
    private static final int FIELDS = 3;
    private static final long NONE = -1;
    private final AtomicLongArray slots;
    private final int mask;

    RecentUnits(int slotCount) {
        Verify.argument(slotCount > 0 && Integer.bitCount(slotCount) == 1, "slot count must be a power of two");
        this.slots = new AtomicLongArray(slotCount * FIELDS);
        this.mask = slotCount - 1;
        forgetAll();
    }

    /** Remembers the unit of {@code index} (replacing whatever its slot held). Writer only. */
    void remember(long index, long position, long term) {
        int at = ((int) index & mask) * FIELDS;
        slots.set(at, NONE);
        slots.set(at + 1, position);
        slots.set(at + 2, term);
        slots.set(at, index);
    }

    /** Forgets every index at or above {@code index} (a truncation or a failed append). Writer only. */
    void forgetFrom(long index) {
        for (int at = 0; at < slots.length(); at += FIELDS) {
            if (slots.get(at) >= index) {
                slots.set(at, NONE);
            }
        }
    }

    /** Forgets everything (the index store was emptied). Writer only. */
    void forgetAll() {
        for (int at = 0; at < slots.length(); at += FIELDS) {
            slots.set(at, NONE);
        }
    }

    /** The position of {@code index}'s record if remembered, else -1. Any thread. */
    long position(long index) {
        return value(index, 1);
    }

    /** The term of {@code index}'s record if remembered, else -1. Any thread. */
    long term(long index) {
        return value(index, 2);
    }

    private long value(long index, int field) {
        int at = ((int) index & mask) * FIELDS;
        if (slots.get(at) != index) {
            return NONE;
        }
        long v = slots.get(at + field);
        return slots.get(at) == index ? v : NONE;
    }
}
