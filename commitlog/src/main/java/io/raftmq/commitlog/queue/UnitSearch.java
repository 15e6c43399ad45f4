package io.raftmq.commitlog.queue;

import java.io.IOException;
import java.util.function.LongUnaryOperator;

/**
 * Binary searches over the units of a {@link ConsumeQueue}, which are strictly increasing in physical offset (and,
 * approximately, in store time): the first queue offset at or beyond a physical position (truncation, retention)
 * and the first at or after a store time (the broker's search by timestamp). Pure: the caller supplies how to read
 * a unit's physical offset.
 */
final class UnitSearch {

    /** Reads the physical offset of the unit at a queue offset. */
    @FunctionalInterface
    interface PhysicalOffsets {
        long at(long queueOffset) throws IOException;
    }

    private UnitSearch() {
    }

    /** The first queue offset in [lo, hi) whose physical offset is {@code >= physicalPosition}, or hi if none. */
    static long firstWithPhysicalAtLeast(long lo, long hi, long physicalPosition, PhysicalOffsets units)
            throws IOException {
        long low = lo;
        long high = hi;
        while (low < high) {
            long mid = (low + high) >>> 1;
            if (units.at(mid) < physicalPosition) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /**
     * The first queue offset in [lo, hi) whose message's store time is {@code >= timestampMs}, or hi if none;
     * {@code storeTimeOfPhysical} maps a physical offset to its message's store timestamp. Assumes store times are
     * non-decreasing in queue order; with a clock step back between leaders the answer is approximate.
     */
    static long firstAtOrAfterTime(long lo, long hi, long timestampMs, PhysicalOffsets units,
                                   LongUnaryOperator storeTimeOfPhysical) throws IOException {
        long low = lo;
        long high = hi;
        while (low < high) {
            long mid = (low + high) >>> 1;
            if (storeTimeOfPhysical.applyAsLong(units.at(mid)) < timestampMs) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
