package io.raftmq.broker.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.raftmq.broker.offset.StoreView;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.store.MessageStore;

/**
 * The broker's read facade over the commitlog's {@link MessageStore}: pulls (ConsumeQueue range, tag filter, caps),
 * queue bounds ({@link StoreView}), search by time, store times, view by physical offset and query by key. Everything
 * it serves comes from the ConsumeQueues and the key index, which the dispatcher builds from <b>committed</b> records
 * only, so no read ever returns uncommitted data; view-by-offset additionally refuses positions at or beyond the
 * dispatched position. Works the same on the leader and on followers.
 *
 * <p>The work is split by read path: {@link QueuePuller} (pulls), {@link StoreTimeSearch} (store times, search by
 * time), {@link MessageLookup} (by id and by key), all on one {@link LogReader} (raw positional reads and the pool of
 * read contexts). Copies: each selected message is read once, straight from the segment file into the (direct)
 * response body allocated from {@code allocator}; the encoder sends that body without another copy. The raw read
 * checks no record crc, so every message read is verified right after the read against what pointed at it. A
 * message that retention deleted before or during the read is reported as removed, never served.
 *
 * <p>Threading: every method may be called from any thread concurrently. Errors: {@link StoreReadException} for I/O
 * failures of the derived data; the CommitLog's own unchecked typed errors ({@code CorruptLogException}, {@code
 * StorageFailedException}) pass through.
 */
public final class BrokerStore implements StoreView {
    private final LogReader reader;
    private final QueuePuller puller;
    private final StoreTimeSearch times;
    private final MessageLookup lookup;

    /**
     * @param store     the opened message store (owned by the caller, closed after this facade's last use)
     * @param config    read limits
     * @param allocator allocator of pull/view/query bodies (the server's, e.g. {@code ByteBufAllocator.DEFAULT})
     */
    public BrokerStore(MessageStore store, StoreReadConfig config, ByteBufAllocator allocator) {
        this.reader = new LogReader(store, config, allocator);
        this.puller = new QueuePuller(reader);
        this.times = new StoreTimeSearch(reader);
        this.lookup = new MessageLookup(reader);
    }

    public StoreReadConfig config() {
        return reader.config;
    }

    /** The underlying store. */
    public MessageStore messageStore() {
        return reader.store;
    }

    // ------------------------------------------------------------------------------------------ StoreView

    /** First readable queue offset; 0 for an unknown queue or one never truncated. */
    @Override
    public long minOffset(String topic, int queueId) {
        ConsumeQueue q = reader.store.consumeQueues().queue(topic, queueId);
        return q == null ? 0 : Math.min(q.minOffset(), q.maxOffset());
    }

    /** Next queue offset to be written by committed data; 0 for an unknown or empty queue. */
    @Override
    public long maxOffset(String topic, int queueId) {
        ConsumeQueue q = reader.store.consumeQueues().queue(topic, queueId);
        return q == null ? 0 : q.maxOffset();
    }

    /** Everything before this CommitLog position is committed and in the ConsumeQueues / key index. */
    public long committedPosition() {
        return reader.committedPosition();
    }

    // ------------------------------------------------------------------------------------------ pull

    /**
     * Reads the messages of queue offsets [offset, ...) of (topic, queueId) that pass {@code filter}: at most
     * {@code min(maxMessages, pullMessagesMax)} messages and {@code min(maxBytes, pullBytesMax)} body bytes (at
     * least one message when any matches), scanning at most pullScanUnitsMax units. Statuses and nextBeginOffset as
     * in {@link PullStatus}.
     *
     * @return the result; its body (FOUND only) belongs to the caller (see {@link PullResult})
     * @throws StoreReadException on an I/O failure of the ConsumeQueue
     */
    public PullResult pull(String topic, int queueId, long offset, int maxMessages, int maxBytes, MessageFilter filter)
            throws StoreReadException {
        return puller.pull(topic, queueId, offset, maxMessages, maxBytes, filter);
    }

    // ------------------------------------------------------------------------------------------ times

    /**
     * Store timestamp (ms) of the message at queue offset {@code queueOffset} of (topic, queueId), or -1 if that
     * offset holds no readable message (unknown queue, outside [min, max), deleted by retention).
     */
    public long storeTimeAt(String topic, int queueId, long queueOffset) throws StoreReadException {
        return times.storeTimeAt(topic, queueId, queueOffset);
    }

    /** GET_EARLIEST_MSG_STORETIME: store time of the message at the min offset, -1 if the queue has none. */
    public long earliestStoreTime(String topic, int queueId) throws StoreReadException {
        return storeTimeAt(topic, queueId, minOffset(topic, queueId));
    }

    /**
     * Store time (ms) of the oldest message the store still holds, over all queues (brokerStatus'
     * earliestMessageTimeStamp); -1 if it holds none.
     */
    public long earliestMessageStoreTime() throws StoreReadException {
        return times.earliestMessageStoreTime();
    }

    /** Store time of the newest committed message of the queue; 0 if the queue is empty or it was deleted. */
    public long lastStoreTime(String topic, int queueId) throws StoreReadException {
        long max = maxOffset(topic, queueId);
        return max == 0 ? 0 : Math.max(0, storeTimeAt(topic, queueId, max - 1));
    }

    /**
     * SEARCH_OFFSET_BY_TIMESTAMP (docs/protocol.md §2.5). LOWER ({@code upper == false}): the first offset whose store
     * time is {@code >= timestampMs}, the max offset if none. UPPER: the last offset whose store time is
     * {@code <= timestampMs}, the min offset if none. An empty or unknown queue answers its max offset (0 when
     * unknown). Binary search: assumes store times do not decrease along the queue.
     */
    public long searchOffset(String topic, int queueId, long timestampMs, boolean upper) throws StoreReadException {
        return times.searchOffset(topic, queueId, timestampMs, upper);
    }

    // ------------------------------------------------------------------------------------------ lookups

    /**
     * VIEW_MESSAGE_BY_ID: the stored message starting at physical offset {@code phys}, or null if no committed
     * message starts exactly there (its PHYSICALOFFSET field must equal {@code phys}). The returned buffer belongs
     * to the caller.
     */
    public ByteBuf viewMessage(long phys) {
        return lookup.viewMessage(phys);
    }

    /**
     * QUERY_MESSAGE by key (docs/protocol.md §2.10): index candidates under {@code topic#key} with store time in
     * [beginMs, endMs], newest first, re-checked against the stored message (topic equal; key query: KEYS split on
     * spaces contains {@code key}; unique-key query: UNIQ_KEY equals {@code key}). At most {@code maxNum}, capped
     * by queryMessagesMax (uniqKeyQueryMessagesMax for unique keys). The index holds committed messages only.
     *
     * <p>indexLastUpdatePhyoffset is the committed position; indexLastUpdateTimestamp is the newest returned
     * message's store time (the key index does not expose its own last update time yet).
     */
    public QueryResult queryMessages(String topic, String key, int maxNum, long beginMs, long endMs,
                                     boolean uniqKey) {
        return lookup.queryMessages(topic, key, maxNum, beginMs, endMs, uniqKey);
    }
}
