package io.raftmq.broker.store;

import io.netty.buffer.ByteBufAllocator;
import io.raftmq.commitlog.error.LogTruncatedException;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.store.MessageStore;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The raw CommitLog access shared by the store's read paths ({@link QueuePuller}, {@link StoreTimeSearch},
 * {@link MessageLookup}): positional reads straight from the segment file ({@code CommitLog#readRange}, no record
 * crc checked, so callers verify what they read against what pointed at it), the store time of a message read from
 * its head alone, and the bounded pool of {@link ReadContext}s (a fresh one when the pool is empty).
 *
 * <p>Threading: any thread, concurrently; a borrowed context is used by one thread until it is given back.
 */
final class LogReader {
    /**
     * Bytes of a message's head read for its store time or TOTALSIZE: up to STORETIMESTAMP with an IPv6 born host
     * (48 + 20 + 8); every message is longer (at least FIXED_LENGTH_V1_IPV4).
     */
    static final int HEAD_BYTES = StoredMessage.BORN_HOST_OFFSET + 20 + Long.BYTES;

    static {
        Verify.state(HEAD_BYTES <= StoredMessage.FIXED_LENGTH_V1_IPV4, "message head longer than any message",
                HEAD_BYTES, StoredMessage.FIXED_LENGTH_V1_IPV4);
    }

    final MessageStore store;
    final StoreReadConfig config;
    final ByteBufAllocator allocator;
    private final ArrayBlockingQueue<ReadContext> pool;

    LogReader(MessageStore store, StoreReadConfig config, ByteBufAllocator allocator) {
        Verify.argument(store != null && config != null && allocator != null, "store, config, allocator required");
        this.store = store;
        this.config = config;
        this.allocator = allocator;
        this.pool = new ArrayBlockingQueue<>(Math.max(1, config.readContextsPooledMax()));
    }

    /** Everything before this CommitLog position is committed and in the ConsumeQueues / key index. */
    long committedPosition() {
        return store.dispatchedPosition();
    }

    /**
     * Reads log bytes [phys, phys + dst.remaining()) into dst (one copy, from the segment file); false if they were
     * deleted by retention (before or during the read). The range must be inside one committed message.
     */
    boolean readRaw(long phys, ByteBuffer dst) {
        try {
            store.commitLog().readRange(phys, dst);
            return true;
        } catch (LogTruncatedException e) {
            return false;
        }
    }

    /** Whether log bytes [phys, phys + length) lie inside one segment (a message always does). */
    boolean inOneSegment(long phys, int length) {
        long segment = store.commitLog().config().segmentBytes();
        return phys / segment == (phys + length - 1) / segment;
    }

    /**
     * Store time of the committed message at {@code phys} (a ConsumeQueue unit's), read from its head alone;
     * Long.MIN_VALUE if retention deleted it (for a binary search: older than anything).
     */
    long storeTimeOf(ReadContext rc, long phys) {
        ByteBuffer head = rc.head.clear();
        if (!readRaw(phys, head)) {
            return Long.MIN_VALUE;
        }
        Verify.state(head.getLong(StoredMessage.PHYSICAL_OFFSET_OFFSET) == phys, "stored PHYSICALOFFSET disagrees"
                + " with the ConsumeQueue", head.getLong(StoredMessage.PHYSICAL_OFFSET_OFFSET), phys);
        return head.getLong(StoredMessage.storeTimestampOffset(head.getInt(StoredMessage.SYS_FLAG_OFFSET)));
    }

    /** A read context from the pool, or a fresh one. */
    ReadContext borrow() {
        ReadContext rc = pool.poll();
        return rc != null ? rc : new ReadContext(HEAD_BYTES, config.pullMessagesMax());
    }

    /** Returns a context taken by {@link #borrow} (dropped when the pool is full or disabled). */
    void giveBack(ReadContext rc) {
        if (config.readContextsPooledMax() > 0) {
            pool.offer(rc);
        }
    }
}
