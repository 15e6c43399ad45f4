package io.raftmq.broker.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.raftmq.broker.offset.StoreView;
import io.raftmq.client.protocol.Verify;
import io.raftmq.commitlog.message.MessageFormatException;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.store.MessageStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The broker's read facade over H2's {@link MessageStore}: pulls (ConsumeQueue range, tag filter, caps), queue
 * bounds ({@link StoreView}), search by time, store times, view by physical offset and query by key. Everything it
 * serves comes from the ConsumeQueues and the key index, which the dispatcher builds from <b>committed</b> records
 * only, so no read ever returns uncommitted data; view-by-offset additionally refuses positions at or beyond the
 * dispatched position. Works the same on the leader and on followers.
 *
 * <p>Copies: CommitLog records are copied (CRC-checked) into a pooled heap window, and each selected message is
 * copied once from there into the response body allocated from {@code allocator}; the body is sent by the encoder
 * without another copy. With a raw positional CommitLog read the window step could go (see {@link LogWindow}).
 *
 * <p>Threading: every method may be called from any thread concurrently; reads take a {@link ReadContext} from a
 * bounded pool (a fresh one when the pool is empty). Errors: {@link StoreReadException} for I/O failures of the
 * derived data; the CommitLog's own unchecked typed errors ({@code CorruptLogException}, {@code
 * StorageFailedException}) pass through.
 */
public final class BrokerStore implements StoreView {
    private final MessageStore store;
    private final StoreReadConfig config;
    private final ByteBufAllocator allocator;
    private final ArrayBlockingQueue<ReadContext> pool;

    /**
     * @param store     the opened message store (owned by the caller, closed after this facade's last use)
     * @param config    read limits
     * @param allocator allocator of pull/view/query bodies (the server's, e.g. {@code ByteBufAllocator.DEFAULT})
     */
    public BrokerStore(MessageStore store, StoreReadConfig config, ByteBufAllocator allocator) {
        Verify.argument(store != null && config != null && allocator != null, "store, config, allocator required");
        this.store = store;
        this.config = config;
        this.allocator = allocator;
        this.pool = new ArrayBlockingQueue<>(Math.max(1, config.readContextsPooledMax()));
    }

    public StoreReadConfig config() {
        return config;
    }

    /** The underlying store. */
    public MessageStore messageStore() {
        return store;
    }

    // ------------------------------------------------------------------------------------------ StoreView

    /** First readable queue offset; 0 for an unknown queue or one never truncated. */
    @Override
    public long minOffset(String topic, int queueId) {
        ConsumeQueue q = store.consumeQueues().queue(topic, queueId);
        return q == null ? 0 : Math.min(q.minOffset(), q.maxOffset());
    }

    /** Next queue offset to be written by committed data; 0 for an unknown or empty queue. */
    @Override
    public long maxOffset(String topic, int queueId) {
        ConsumeQueue q = store.consumeQueues().queue(topic, queueId);
        return q == null ? 0 : q.maxOffset();
    }

    /** Everything before this CommitLog position is committed and in the ConsumeQueues / key index. */
    public long committedPosition() {
        return store.dispatchedPosition();
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
    public PullResult pull(String topic, int queueId, long offset, int maxMessages, int maxBytes, TagFilter filter)
            throws StoreReadException {
        ConsumeQueue q = store.consumeQueues().queue(topic, queueId);
        long max = q == null ? 0 : q.maxOffset();
        long min = q == null ? 0 : Math.min(q.minOffset(), max);
        if (max == 0) {
            return new PullResult(PullStatus.NO_MESSAGE_IN_QUEUE, 0, min, max, 0, null);
        }
        if (offset < min) {
            return new PullResult(PullStatus.OFFSET_TOO_SMALL, min, min, max, 0, null);
        }
        if (offset == max) {
            return new PullResult(PullStatus.OFFSET_OVERFLOW_ONE, offset, min, max, 0, null);
        }
        if (offset > max) {
            return new PullResult(PullStatus.OFFSET_OVERFLOW_BADLY, max, min, max, 0, null);
        }
        int messagesMax = Math.max(1, Math.min(maxMessages, config.pullMessagesMax()));
        int bytesMax = Math.max(1, Math.min(maxBytes, config.pullBytesMax()));
        ReadContext rc = borrow();
        try {
            return readRange(q, rc, offset, min, max, messagesMax, bytesMax, filter);
        } catch (IOException e) {
            throw new StoreReadException("pull " + topic + "/" + queueId + "@" + offset + ": " + e.getMessage(), e);
        } finally {
            giveBack(rc);
        }
    }

    private PullResult readRange(ConsumeQueue q, ReadContext rc, long offset, long min, long max, int messagesMax,
                                 int bytesMax, TagFilter filter) throws IOException {
        long scanEnd = Math.min(max, offset + config.pullScanUnitsMax());
        long at = offset;
        int n = 0;
        long bytes = 0;
        boolean full = false;
        while (at < scanEnd && !full) {
            rc.units.clear();
            int got = q.read(at, (int) Math.min(ReadContext.UNITS_PER_CHUNK, scanEnd - at), rc.units);
            if (got == 0) {
                break; // retention moved the min offset past us
            }
            for (int i = 0; i < got; i++) {
                int base = i * ConsumeQueue.UNIT_SIZE;
                int size = rc.units.getInt(base + ConsumeQueue.SIZE_OFFSET);
                if (filter.matches(rc.units.getLong(base + ConsumeQueue.TAGS_CODE_OFFSET))) {
                    if (n == messagesMax || (n > 0 && bytes + size > bytesMax)) {
                        full = true;
                        break;
                    }
                    rc.physicalOffsets[n] = rc.units.getLong(base + ConsumeQueue.PHYSICAL_OFFSET_OFFSET);
                    rc.sizes[n] = size;
                    rc.queueOffsets[n] = at;
                    n++;
                    bytes += size;
                }
                at++;
            }
        }
        if (n == 0) {
            if (at == offset) {
                long newMin = Math.min(q.minOffset(), q.maxOffset());
                return new PullResult(PullStatus.OFFSET_TOO_SMALL, Math.max(newMin, offset), min, max, 0, null);
            }
            return new PullResult(PullStatus.NO_MATCHED_MESSAGE, at, min, max, 0, null);
        }
        return copySelected(rc, n, (int) bytes, at, min, max);
    }

    /** Copies the n selected messages into a new body; stops early at a message retention already deleted. */
    private PullResult copySelected(ReadContext rc, int n, int bytes, long scannedEnd, long min, long max) {
        ByteBuf body = allocator.directBuffer(bytes, bytes);
        rc.window.reset();
        for (int i = 0; i < n; i++) {
            long phys = rc.physicalOffsets[i];
            int at = rc.window.locate(phys, rc.sizes[i]);
            if (at < 0) {
                Verify.state(phys < store.commitLog().startPosition(), "committed message not readable", phys,
                        store.commitLog().startPosition());
                if (i == 0) {
                    body.release();
                    return new PullResult(PullStatus.MESSAGE_WAS_REMOVING, rc.queueOffsets[0] + 1, min, max, 0, null);
                }
                return new PullResult(PullStatus.FOUND, rc.queueOffsets[i], min, max, i, body);
            }
            ByteBuffer src = rc.window.buffer();
            checkMessage(src, at, rc.sizes[i], phys, rc.queueOffsets[i]);
            body.writeBytes(src.duplicate().limit(at + rc.sizes[i]).position(at));
        }
        return new PullResult(PullStatus.FOUND, scannedEnd, min, max, n, body);
    }

    /** Verifies that the bytes at {@code at} are the message a ConsumeQueue unit points at. */
    private static void checkMessage(ByteBuffer src, int at, int size, long phys, long queueOffset) {
        Verify.state(src.getInt(at + StoredMessage.TOTAL_SIZE_OFFSET) == size, "ConsumeQueue size disagrees with"
                + " the stored message", src.getInt(at + StoredMessage.TOTAL_SIZE_OFFSET), size);
        Verify.state(src.getLong(at + StoredMessage.PHYSICAL_OFFSET_OFFSET) == phys, "stored PHYSICALOFFSET"
                + " disagrees with the ConsumeQueue", src.getLong(at + StoredMessage.PHYSICAL_OFFSET_OFFSET), phys);
        Verify.state(src.getLong(at + StoredMessage.QUEUE_OFFSET_OFFSET) == queueOffset, "stored QUEUEOFFSET"
                + " disagrees with the ConsumeQueue", src.getLong(at + StoredMessage.QUEUE_OFFSET_OFFSET), queueOffset);
    }

    // ------------------------------------------------------------------------------------------ times

    /**
     * Store timestamp (ms) of the message at queue offset {@code queueOffset} of (topic, queueId), or -1 if that
     * offset holds no readable message (unknown queue, outside [min, max), deleted by retention).
     */
    public long storeTimeAt(String topic, int queueId, long queueOffset) throws StoreReadException {
        ConsumeQueue q = store.consumeQueues().queue(topic, queueId);
        if (q == null) {
            return -1;
        }
        ReadContext rc = borrow();
        try {
            if (!q.read(queueOffset, rc.unit)) {
                return -1;
            }
            return storeTimeOfPhysical(rc, rc.unit.physicalOffset(), rc.unit.size());
        } catch (IOException e) {
            throw new StoreReadException("store time of " + topic + "/" + queueId + "@" + queueOffset, e);
        } finally {
            giveBack(rc);
        }
    }

    /** GET_EARLIEST_MSG_STORETIME: store time of the message at the min offset, -1 if the queue has none. */
    public long earliestStoreTime(String topic, int queueId) throws StoreReadException {
        return storeTimeAt(topic, queueId, minOffset(topic, queueId));
    }

    /** Store time of the newest committed message of the queue; 0 if the queue is empty or it was deleted. */
    public long lastStoreTime(String topic, int queueId) throws StoreReadException {
        long max = maxOffset(topic, queueId);
        return max == 0 ? 0 : Math.max(0, storeTimeAt(topic, queueId, max - 1));
    }

    /**
     * SEARCH_OFFSET_BY_TIMESTAMP (spec 2.5). LOWER ({@code upper == false}): the first offset whose store time is
     * {@code >= timestampMs}, the max offset if none. UPPER: the last offset whose store time is
     * {@code <= timestampMs}, the min offset if none. An empty or unknown queue answers its max offset (0 when
     * unknown). Binary search: assumes store times do not decrease along the queue.
     */
    public long searchOffset(String topic, int queueId, long timestampMs, boolean upper) throws StoreReadException {
        ConsumeQueue q = store.consumeQueues().queue(topic, queueId);
        if (q == null || q.minOffset() >= q.maxOffset()) {
            return q == null ? 0 : q.maxOffset();
        }
        ReadContext rc = borrow();
        try {
            rc.window.reset();
            if (!upper) {
                return q.firstOffsetAtOrAfterTime(timestampMs, phys -> storeTimeOrOld(rc, phys));
            }
            if (timestampMs == Long.MAX_VALUE) {
                return q.maxOffset() - 1;
            }
            long firstAfter = q.firstOffsetAtOrAfterTime(timestampMs + 1, phys -> storeTimeOrOld(rc, phys));
            return Math.max(q.minOffset(), firstAfter - 1);
        } catch (IOException e) {
            throw new StoreReadException("search " + topic + "/" + queueId + " by time " + timestampMs, e);
        } finally {
            giveBack(rc);
        }
    }

    /** Store time at phys for the binary search; a message deleted meanwhile counts as older than anything. */
    private static long storeTimeOrOld(ReadContext rc, long phys) {
        int at = rc.window.locate(phys, StoredMessage.FIXED_LENGTH_V1_IPV4);
        if (at < 0) {
            return Long.MIN_VALUE;
        }
        return rc.message.wrap(rc.window.buffer(), at, at + rc.window.available(at)).storeTimestamp();
    }

    private static long storeTimeOfPhysical(ReadContext rc, long phys, int size) {
        rc.window.reset();
        int at = rc.window.locate(phys, size);
        if (at < 0) {
            return -1;
        }
        return rc.message.wrap(rc.window.buffer(), at, at + size).storeTimestamp();
    }

    // ------------------------------------------------------------------------------------------ lookups

    /**
     * VIEW_MESSAGE_BY_ID: the stored message starting at physical offset {@code phys}, or null if no committed
     * message starts exactly there (its PHYSICALOFFSET field must equal {@code phys}). The returned buffer belongs
     * to the caller.
     */
    public ByteBuf viewMessage(long phys) {
        if (phys < 0 || phys >= committedPosition()) {
            return null;
        }
        ReadContext rc = borrow();
        try {
            rc.window.reset();
            int at = readMessageAt(rc, phys);
            if (at < 0) {
                return null;
            }
            int size = rc.message.totalSize();
            ByteBuf out = allocator.directBuffer(size, size);
            out.writeBytes(rc.window.buffer().duplicate().limit(at + size).position(at));
            return out;
        } finally {
            giveBack(rc);
        }
    }

    /** Frames the message at phys into rc.message; its buffer offset, or -1 if no valid message starts there. */
    private int readMessageAt(ReadContext rc, long phys) {
        int at = rc.window.locate(phys, StoredMessage.FIXED_LENGTH_V1_IPV4);
        if (at < 0) {
            return -1;
        }
        try {
            rc.message.wrap(rc.window.buffer(), at, at + rc.window.available(at));
        } catch (MessageFormatException e) {
            return -1;
        }
        return rc.message.physicalOffset() == phys ? at : -1;
    }

    /**
     * QUERY_MESSAGE by key (spec 2.10): index candidates under {@code topic#key} with store time in
     * [beginMs, endMs], newest first, re-checked against the stored message (topic equal; key query: KEYS split on
     * spaces contains {@code key}; unique-key query: UNIQ_KEY equals {@code key}). At most {@code maxNum}, capped
     * by queryMessagesMax (uniqKeyQueryMessagesMax for unique keys). The index holds committed messages only.
     *
     * <p>indexLastUpdatePhyoffset is the committed position; indexLastUpdateTimestamp is the newest returned
     * message's store time (the key index does not expose its own last update time yet).
     */
    public QueryResult queryMessages(String topic, String key, int maxNum, long beginMs, long endMs,
                                     boolean uniqKey) {
        int limit = Math.max(1, Math.min(maxNum, uniqKey ? config.uniqKeyQueryMessagesMax()
                : config.queryMessagesMax()));
        long committed = committedPosition();
        long[] candidates = store.indexFiles().query(topic, key, limit, beginMs, endMs);
        ReadContext rc = borrow();
        ByteBuf body = null;
        int count = 0;
        long newest = 0;
        try {
            rc.window.reset();
            for (long phys : candidates) {
                int at = phys < committed ? readMessageAt(rc, phys) : -1;
                if (at < 0 || !matchesKey(rc.message, topic, key, uniqKey)) {
                    continue;
                }
                int size = rc.message.totalSize();
                if (body == null) {
                    body = allocator.directBuffer(size);
                }
                body.writeBytes(rc.window.buffer().duplicate().limit(at + size).position(at));
                newest = Math.max(newest, rc.message.storeTimestamp());
                count++;
            }
            return new QueryResult(body, count, newest, committed);
        } catch (RuntimeException e) {
            if (body != null) {
                body.release();
            }
            throw e;
        } finally {
            giveBack(rc);
        }
    }

    private static boolean matchesKey(StoredMessage m, String topic, String key, boolean uniqKey) {
        if (!topic.equals(m.topic())) {
            return false;
        }
        String properties = m.properties();
        if (uniqKey) {
            return key.equals(MessageProperties.get(properties, MessageProperties.UNIQ_KEY));
        }
        String keys = MessageProperties.get(properties, MessageProperties.KEYS);
        if (keys == null) {
            return false;
        }
        for (String k : keys.split(String.valueOf(MessageProperties.KEY_SEPARATOR))) {
            if (k.equals(key)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------ pool

    private ReadContext borrow() {
        ReadContext rc = pool.poll();
        return rc != null ? rc : new ReadContext(store.commitLog(), config.readAheadBytes(), config.pullMessagesMax());
    }

    private void giveBack(ReadContext rc) {
        if (config.readContextsPooledMax() > 0) {
            pool.offer(rc);
        }
    }
}
