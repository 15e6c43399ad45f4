package io.raftmq.broker.store;

import io.raftmq.commitlog.queue.ConsumeQueue;

import java.io.IOException;

/**
 * Time reads of {@link BrokerStore}: the store time of the message at a queue offset, and the binary search of a
 * queue by store time (SEARCH_OFFSET_BY_TIMESTAMP, docs/protocol.md §2.5). Store times are read from the head of each
 * probed message alone ({@link LogReader#storeTimeOf}); a message retention deleted counts as older than anything.
 *
 * <p>Threading: any thread, concurrently (each read borrows its own {@link ReadContext}).
 */
final class StoreTimeSearch {
    private final LogReader reader;

    StoreTimeSearch(LogReader reader) {
        this.reader = reader;
    }

    /** See {@link BrokerStore#storeTimeAt}. */
    long storeTimeAt(String topic, int queueId, long queueOffset) throws StoreReadException {
        ConsumeQueue q = reader.store.consumeQueues().queue(topic, queueId);
        if (q == null) {
            return -1;
        }
        ReadContext rc = reader.borrow();
        try {
            if (!q.read(queueOffset, rc.unit)) {
                return -1;
            }
            long t = reader.storeTimeOf(rc, rc.unit.physicalOffset());
            return t == Long.MIN_VALUE ? -1 : t;
        } catch (IOException e) {
            throw new StoreReadException("store time of " + topic + "/" + queueId + "@" + queueOffset, e);
        } finally {
            reader.giveBack(rc);
        }
    }

    /**
     * See {@link BrokerStore#earliestMessageStoreTime}: among the queues' first readable units, the one with the
     * lowest physical offset is the oldest message still stored; one head read gives its store time.
     */
    long earliestMessageStoreTime() throws StoreReadException {
        ReadContext rc = reader.borrow();
        try {
            long first = Long.MAX_VALUE;
            for (ConsumeQueue q : reader.store.consumeQueues().queues()) {
                long phys = firstPhysicalOffset(q, rc);
                first = Math.min(first, phys < 0 ? Long.MAX_VALUE : phys);
            }
            if (first == Long.MAX_VALUE) {
                return -1;
            }
            long t = reader.storeTimeOf(rc, first);
            return t == Long.MIN_VALUE ? -1 : t;
        } finally {
            reader.giveBack(rc);
        }
    }

    /** Physical offset of the queue's first readable message, -1 if none (empty, or retention raced the read). */
    private static long firstPhysicalOffset(ConsumeQueue q, ReadContext rc) throws StoreReadException {
        long min = q.minOffset();
        if (min >= q.maxOffset()) {
            return -1;
        }
        try {
            return q.read(min, rc.unit) ? rc.unit.physicalOffset() : -1;
        } catch (IOException e) {
            if (min < q.minOffset()) {
                return -1; // retention moved the queue's start while we read it
            }
            throw new StoreReadException("first unit of " + q.topic() + "/" + q.queueId(), e);
        }
    }

    /** See {@link BrokerStore#searchOffset}. */
    long searchOffset(String topic, int queueId, long timestampMs, boolean upper) throws StoreReadException {
        ConsumeQueue q = reader.store.consumeQueues().queue(topic, queueId);
        if (q == null || q.minOffset() >= q.maxOffset()) {
            return q == null ? 0 : q.maxOffset();
        }
        ReadContext rc = reader.borrow();
        try {
            if (!upper) {
                return q.firstOffsetAtOrAfterTime(timestampMs, phys -> reader.storeTimeOf(rc, phys));
            }
            if (timestampMs == Long.MAX_VALUE) {
                return q.maxOffset() - 1;
            }
            long firstAfter = q.firstOffsetAtOrAfterTime(timestampMs + 1, phys -> reader.storeTimeOf(rc, phys));
            return Math.max(q.minOffset(), firstAfter - 1);
        } catch (IOException e) {
            throw new StoreReadException("search " + topic + "/" + queueId + " by time " + timestampMs, e);
        } finally {
            reader.giveBack(rc);
        }
    }
}
