package io.raftmq.broker.store;

import io.netty.buffer.ByteBuf;
import io.raftmq.broker.filter.SqlFilter;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.queue.ConsumeQueue;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The pull read of {@link BrokerStore}: scans a ConsumeQueue range, selects the units that pass the tag filter within
 * the message, byte and scan caps, and copies the selected messages straight from the segment file into one direct
 * body (one copy; one read per run of messages that follow each other in a segment); a SQL92 filter then keeps the
 * messages whose properties pass it, reading more candidates until the batch is full ({@link #pullSql}). Every copied
 * message is checked against its unit: TOTALSIZE, PHYSICALOFFSET and QUEUEOFFSET must equal the unit's. A message that
 * retention deleted before or during the read ends the body early (or answers MESSAGE_WAS_REMOVING when it is the
 * first).
 *
 * <p>Threading: any thread, concurrently (each pull borrows its own {@link ReadContext}).
 */
final class QueuePuller {
    private final LogReader reader;

    QueuePuller(LogReader reader) {
        this.reader = reader;
    }

    /** See {@link BrokerStore#pull}. */
    PullResult pull(String topic, int queueId, long offset, int maxMessages, int maxBytes, MessageFilter filter)
            throws StoreReadException {
        ConsumeQueue q = reader.store.consumeQueues().queue(topic, queueId);
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
        StoreReadConfig config = reader.config;
        int messagesMax = Math.max(1, Math.min(maxMessages, config.pullMessagesMax()));
        int bytesMax = Math.max(1, Math.min(maxBytes, config.pullBytesMax()));
        ReadContext rc = reader.borrow();
        try {
            long scanEnd = Math.min(max, offset + reader.config.pullScanUnitsMax());
            return filter.sql() == null ? readRange(q, rc, offset, min, max, scanEnd, messagesMax, bytesMax, filter)
                : pullSql(q, rc, offset, min, max, scanEnd, messagesMax, bytesMax, filter);
        } catch (IOException e) {
            throw new StoreReadException("pull " + topic + "/" + queueId + "@" + offset + ": " + e.getMessage(), e);
        } finally {
            reader.giveBack(rc);
        }
    }

    private PullResult readRange(ConsumeQueue q, ReadContext rc, long offset, long min, long max, long scanEnd,
                                 int messagesMax, int bytesMax, MessageFilter filter) throws IOException {
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
     * A pull with a SQL92 stage (docs/consumer-protocol.md "SQL92 filters"): rounds of a read of candidates (the
     * units that pass the tag stage, as a plain pull selects them) and of {@link #keepMatching}, until
     * {@code messagesMax} messages passed, their bytes would pass {@code bytesMax}, or the scan reached
     * {@code scanEnd}; so a selective expression still answers full batches, as a tag filter does. A round that
     * meets retention (OFFSET_TOO_SMALL, MESSAGE_WAS_REMOVING) ends the pull with what passed before it, or with
     * that status when nothing did.
     */
    private PullResult pullSql(ConsumeQueue q, ReadContext rc, long offset, long min, long max, long scanEnd,
                               int messagesMax, int bytesMax, MessageFilter filter) throws IOException {
        Kept kept = new Kept(messagesMax, bytesMax);
        long at = offset;
        try {
            while (at < scanEnd && !kept.full) {
                PullResult r = readRange(q, rc, at, min, max, scanEnd, messagesMax, bytesMax, filter);
                if (r.status() == PullStatus.FOUND) {
                    at = keepMatching(r, rc, filter.sql(), kept);
                } else if (r.status() == PullStatus.NO_MATCHED_MESSAGE) {
                    at = r.nextBeginOffset();
                } else if (kept.count == 0) {
                    return r;
                } else {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            kept.release();
            throw e;
        }
        if (kept.count == 0) {
            return new PullResult(PullStatus.NO_MATCHED_MESSAGE, at, min, max, 0, null);
        }
        return new PullResult(PullStatus.FOUND, at, min, max, kept.count, kept.body);
    }

    /** The messages that passed the SQL92 stage so far, and the caps they fill. */
    private final class Kept {
        private final int messagesMax;
        private final int bytesMax;
        private ByteBuf body;
        private int count;
        private boolean full;

        Kept(int messagesMax, int bytesMax) {
            this.messagesMax = messagesMax;
            this.bytesMax = bytesMax;
        }

        /** Whether a passing message of {@code size} bytes still fits; marks the caps full when it does not. */
        boolean fits(int size) {
            full = count == messagesMax || (count > 0 && body.readableBytes() + size > bytesMax);
            return !full;
        }

        void add(ByteBuf from, int index, int size) {
            if (body == null) {
                body = reader.allocator.directBuffer(Math.min(bytesMax, Math.max(size, from.readableBytes())));
            }
            body.writeBytes(from, index, size);
            count++;
            full = count == messagesMax;
        }

        void release() {
            if (body != null) {
                body.release();
            }
        }
    }

    /**
     * Keeps the messages of a FOUND read whose properties pass {@code sql}, in order, while they fit; returns the
     * queue offset the pull goes on from: past the last scanned message, or at the first passing one that did not
     * fit (every message before it has been decided).
     */
    private long keepMatching(PullResult found, ReadContext rc, SqlFilter sql, Kept kept) {
        ByteBuf body = found.takeBody();
        ByteBuffer view = body.nioBuffer();
        try {
            for (int at = 0; at < view.limit(); ) {
                StoredMessage m = rc.message.wrap(view, at);
                int size = m.totalSize();
                if (sql.matches(rc.properties.reset(m.properties()))) {
                    if (!kept.fits(size)) {
                        return m.queueOffset();
                    }
                    kept.add(body, body.readerIndex() + at, size);
                    if (kept.full) {
                        return m.queueOffset() + 1;
                    }
                }
                at += size;
            }
        } finally {
            body.release();
        }
        return found.nextBeginOffset();
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
     * Reads the n selected messages straight into a new body, one positional read per run of messages that lie back
     * to back in one segment (a batch send, or one queue's messages within one raft entry: docs/benchmarks.md
     * "Pull: one read per contiguous run"); stops early at a message retention already deleted
     * (MESSAGE_WAS_REMOVING if that is the first one).
     */
    private PullResult copySelected(ReadContext rc, int n, int bytes, long scannedEnd, long min, long max) {
        ByteBuf body = reader.allocator.directBuffer(bytes, bytes);
        try {
            for (int i = 0; i < n; ) {
                int end = runEnd(rc, i, n);
                long phys = rc.physicalOffsets[i];
                int length = (int) (rc.physicalOffsets[end - 1] + rc.sizes[end - 1] - phys);
                int at = body.writerIndex();
                if (!reader.readRaw(phys, body.internalNioBuffer(at, length))) {
                    long start = reader.store.commitLog().startPosition();
                    Verify.state(phys < start, "committed message not readable", phys, start);
                    if (i == 0) {
                        body.release();
                        return new PullResult(PullStatus.MESSAGE_WAS_REMOVING, rc.queueOffsets[0] + 1, min, max, 0,
                                null);
                    }
                    return new PullResult(PullStatus.FOUND, rc.queueOffsets[i], min, max, i, body);
                }
                body.writerIndex(at + length);
                for (int k = i; k < end; k++) {
                    checkMessage(body, at, rc.sizes[k], rc.physicalOffsets[k], rc.queueOffsets[k]);
                    at += rc.sizes[k];
                }
                i = end;
            }
        } catch (RuntimeException e) {
            body.release();
            throw e;
        }
        return new PullResult(PullStatus.FOUND, scannedEnd, min, max, n, body);
    }

    /** The end (exclusive) of the run of selected messages from {@code i} that follow each other in one segment. */
    private int runEnd(ReadContext rc, int i, int n) {
        int end = i + 1;
        long runStart = rc.physicalOffsets[i];
        while (end < n && rc.physicalOffsets[end] == rc.physicalOffsets[end - 1] + rc.sizes[end - 1]
            && reader.inOneSegment(runStart, (int) (rc.physicalOffsets[end] + rc.sizes[end] - runStart))) {
            end++;
        }
        return end;
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
}
