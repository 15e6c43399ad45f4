package io.raftmq.commitlog.store;

/**
 * Receives, during one {@link MessageStore#append}, the offsets the {@link QueueOffsetStamper} stamped into each
 * message, in log order: {@link AppendResult} for one append, or a longer-lived recorder (the broker's raft log
 * keeps the offsets of recent entries so that a send is answered without reading its record back).
 *
 * <p>Called under the store's append serialisation, on the appending thread. An implementation must not throw:
 * an exception from the stamper aborts the whole batch.
 */
public interface StampSink {
    /** An append begins. */
    void clear();

    /** One consumable or non-consumable message stamped: its physical offset and queue offset (0 if none). */
    void add(long physicalOffset, long queueOffset);
}
