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
