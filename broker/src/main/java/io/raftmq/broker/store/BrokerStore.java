package io.raftmq.broker.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.raftmq.broker.offset.StoreView;
import io.raftmq.client.Verify;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.LogTruncatedException;
import io.raftmq.commitlog.message.MessageFormatException;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.store.MessageStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The broker's read facade over the commitlog's {@link MessageStore}: pulls (ConsumeQueue range, tag filter, caps),
 * queue bounds ({@link StoreView}), search by time, store times, view by physical offset and query by key. Everything
 * it serves comes from the ConsumeQueues and the key index, which the dispatcher builds from <b>committed</b> records
 * only, so no read ever returns uncommitted data; view-by-offset additionally refuses positions at or beyond the
 * dispatched position. Works the same on the leader and on followers.
 *
 * <p>Copies: each selected message is read once, by a raw positional CommitLog read ({@link CommitLog#readRange}),
 * straight from the segment file into the (direct) response body allocated from {@code allocator}; the encoder
 * sends that body without another copy. The raw read checks no record crc, so every message read is verified
 * right after the read against what pointed at it: TOTALSIZE, PHYSICALOFFSET and QUEUEOFFSET equal the
 * ConsumeQueue unit's (pulls), or PHYSICALOFFSET equals the requested offset and the framing is valid (lookups).
 * A message that retention deleted before or during the read is reported as removed, never served.
 *
 * <p>Threading: every method may be called from any thread concurrently; reads take a {@link ReadContext} from a
 * bounded pool (a fresh one when the pool is empty). Errors: {@link StoreReadException} for I/O failures of the
 * derived data; the CommitLog's own unchecked typed errors ({@code CorruptLogException}, {@code
 * StorageFailedException}) pass through.
 */
public final class BrokerStore implements StoreView {
    /**
     * Bytes of a message's head read for its store time or TOTALSIZE: up to STORETIMESTAMP with an IPv6 born host
     * (48 + 20 + 8); every message is longer (at least FIXED_LENGTH_V1_IPV4).
     */
    static final int HEAD_BYTES = StoredMessage.BORN_HOST_OFFSET + 20 + Long.BYTES;

    static {
        Verify.state(HEAD_BYTES <= StoredMessage.FIXED_LENGTH_V1_IPV4, "message head longer than any message",
                HEAD_BYTES, StoredMessage.FIXED_LENGTH_V1_IPV4);
    }

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
            int got = readUnits(q, at, (int) Math.min(ReadContext.UNITS_PER_CHUNK, scanEnd - at), rc.units);
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

    /**
     * ConsumeQueue units [at, at + count) into dst; 0 when the queue's retention raced the read and has moved its
     * min offset past {@code at}. Such a race surfaces as an IOException from ConsumeQueue (a closed segment file, or
     * a segment already dropped: it moves minOffset before it drops files, so this means the bound moved after the
     * reader checked it); any other IOException fails the pull with the typed {@link StoreReadException} (the
     * client retries).
     */
    private static int readUnits(ConsumeQueue q, long at, int count, ByteBuffer dst) throws IOException {
        try {
            return q.read(at, count, dst);
        } catch (IOException e) {
            if (at < q.minOffset()) {
                return 0;
            }
            throw new IOException("ConsumeQueue read at " + at + " failed (racing its retention?): " + e, e);
        }
    }

    /**
     * Reads the n selected messages straight into a new body; stops early at a message retention already deleted
     * (MESSAGE_WAS_REMOVING if that is the first one).
     */
    private PullResult copySelected(ReadContext rc, int n, int bytes, long scannedEnd, long min, long max) {
        ByteBuf body = allocator.directBuffer(bytes, bytes);
        try {
            for (int i = 0; i < n; i++) {
                long phys = rc.physicalOffsets[i];
                int size = rc.sizes[i];
                int at = body.writerIndex();
                if (!readRaw(phys, body.internalNioBuffer(at, size))) {
                    Verify.state(phys < store.commitLog().startPosition(), "committed message not readable", phys,
                            store.commitLog().startPosition());
                    if (i == 0) {
                        body.release();
                        return new PullResult(PullStatus.MESSAGE_WAS_REMOVING, rc.queueOffsets[0] + 1, min, max, 0,
                                null);
                    }
                    return new PullResult(PullStatus.FOUND, rc.queueOffsets[i], min, max, i, body);
                }
                body.writerIndex(at + size);
                checkMessage(body, at, size, phys, rc.queueOffsets[i]);
            }
        } catch (RuntimeException e) {
            body.release();
            throw e;
        }
        return new PullResult(PullStatus.FOUND, scannedEnd, min, max, n, body);
    }

    /** Verifies that the bytes at {@code at} are the message a ConsumeQueue unit points at. */
    private static void checkMessage(ByteBuf src, int at, int size, long phys, long queueOffset) {
        Verify.state(src.getInt(at + StoredMessage.TOTAL_SIZE_OFFSET) == size, "ConsumeQueue size disagrees with"
                + " the stored message", src.getInt(at + StoredMessage.TOTAL_SIZE_OFFSET), size);
        Verify.state(src.getLong(at + StoredMessage.PHYSICAL_OFFSET_OFFSET) == phys, "stored PHYSICALOFFSET"
                + " disagrees with the ConsumeQueue", src.getLong(at + StoredMessage.PHYSICAL_OFFSET_OFFSET), phys);
        Verify.state(src.getLong(at + StoredMessage.QUEUE_OFFSET_OFFSET) == queueOffset, "stored QUEUEOFFSET"
                + " disagrees with the ConsumeQueue", src.getLong(at + StoredMessage.QUEUE_OFFSET_OFFSET), queueOffset);
    }

    /**
     * Reads log bytes [phys, phys + dst.remaining()) into dst (one copy, from the segment file); false if they were
     * deleted by retention (before or during the read). The range must be inside one committed message.
     */
    private boolean readRaw(long phys, ByteBuffer dst) {
        try {
            store.commitLog().readRange(phys, dst);
            return true;
        } catch (LogTruncatedException e) {
            return false;
        }
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
            long t = storeTimeOf(rc, rc.unit.physicalOffset());
            return t == Long.MIN_VALUE ? -1 : t;
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
     * SEARCH_OFFSET_BY_TIMESTAMP (docs/protocol.md §2.5). LOWER ({@code upper == false}): the first offset whose store
     * time is {@code >= timestampMs}, the max offset if none. UPPER: the last offset whose store time is
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
            if (!upper) {
                return q.firstOffsetAtOrAfterTime(timestampMs, phys -> storeTimeOf(rc, phys));
            }
            if (timestampMs == Long.MAX_VALUE) {
                return q.maxOffset() - 1;
            }
            long firstAfter = q.firstOffsetAtOrAfterTime(timestampMs + 1, phys -> storeTimeOf(rc, phys));
            return Math.max(q.minOffset(), firstAfter - 1);
        } catch (IOException e) {
            throw new StoreReadException("search " + topic + "/" + queueId + " by time " + timestampMs, e);
        } finally {
            giveBack(rc);
        }
    }

    /**
     * Store time of the committed message at {@code phys} (a ConsumeQueue unit's), read from its head alone;
     * Long.MIN_VALUE if retention deleted it (for the binary search: older than anything).
     */
    private long storeTimeOf(ReadContext rc, long phys) {
        ByteBuffer head = rc.head.clear();
        if (!readRaw(phys, head)) {
            return Long.MIN_VALUE;
        }
        Verify.state(head.getLong(StoredMessage.PHYSICAL_OFFSET_OFFSET) == phys, "stored PHYSICALOFFSET disagrees"
                + " with the ConsumeQueue", head.getLong(StoredMessage.PHYSICAL_OFFSET_OFFSET), phys);
        return head.getLong(StoredMessage.storeTimestampOffset(head.getInt(StoredMessage.SYS_FLAG_OFFSET)));
    }

    // ------------------------------------------------------------------------------------------ lookups

    /**
     * VIEW_MESSAGE_BY_ID: the stored message starting at physical offset {@code phys}, or null if no committed
     * message starts exactly there (its PHYSICALOFFSET field must equal {@code phys}). The returned buffer belongs
     * to the caller.
     */
    public ByteBuf viewMessage(long phys) {
        long committed = committedPosition();
        if (phys < 0 || phys >= committed) {
            return null;
        }
        ReadContext rc = borrow();
        ByteBuf out = allocator.directBuffer();
        try {
            if (appendMessageAt(rc, out, phys, committed)) {
                ByteBuf found = out;
                out = null;
                return found;
            }
            return null;
        } finally {
            if (out != null) {
                out.release();
            }
            giveBack(rc);
        }
    }

    /**
     * Appends to {@code out} the committed message that starts exactly at {@code phys} (a client-supplied offset:
     * anything is checked) and frames it into rc.message; false, with out unchanged, if no valid message starts
     * there, it is not below {@code committed}, or retention deleted it.
     */
    private boolean appendMessageAt(ReadContext rc, ByteBuf out, long phys, long committed) {
        if (phys < 0 || phys > committed - StoredMessage.FIXED_LENGTH_V1_IPV4 || !inOneSegment(phys, HEAD_BYTES)
                || !readRaw(phys, rc.head.clear())) {
            return false;
        }
        int size = rc.head.getInt(StoredMessage.TOTAL_SIZE_OFFSET);
        if (size < StoredMessage.FIXED_LENGTH_V1_IPV4 || size > store.commitLog().config().recordBytesMax()
                || phys + size > committed || !inOneSegment(phys, size)) {
            return false;
        }
        int at = out.writerIndex();
        out.ensureWritable(size);
        if (!readRaw(phys, out.internalNioBuffer(at, size))) {
            return false;
        }
        try {
            rc.message.wrap(out.nioBuffer(at, size), 0, size);
        } catch (MessageFormatException e) {
            return false;
        }
        if (rc.message.totalSize() != size || rc.message.physicalOffset() != phys) {
            return false;
        }
        out.writerIndex(at + size);
        return true;
    }

    /** Whether log bytes [phys, phys + length) lie inside one segment (a message always does). */
    private boolean inOneSegment(long phys, int length) {
        long segment = store.commitLog().config().segmentBytes();
        return phys / segment == (phys + length - 1) / segment;
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
        int limit = Math.max(1, Math.min(maxNum, uniqKey ? config.uniqKeyQueryMessagesMax()
                : config.queryMessagesMax()));
        long committed = committedPosition();
        long[] candidates = store.indexFiles().query(topic, key, limit, beginMs, endMs);
        ReadContext rc = borrow();
        ByteBuf body = allocator.directBuffer();
        int count = 0;
        long newest = 0;
        try {
            for (long phys : candidates) {
                int at = body.writerIndex();
                if (!appendMessageAt(rc, body, phys, committed)) {
                    continue;
                }
                if (!matchesKey(rc.message, topic, key, uniqKey)) {
                    body.writerIndex(at); // drop it again
                    continue;
                }
                newest = Math.max(newest, rc.message.storeTimestamp());
                count++;
            }
            if (count == 0) {
                body.release();
                body = null;
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
        return rc != null ? rc : new ReadContext(HEAD_BYTES, config.pullMessagesMax());
    }

    private void giveBack(ReadContext rc) {
        if (config.readContextsPooledMax() > 0) {
            pool.offer(rc);
        }
    }
}
