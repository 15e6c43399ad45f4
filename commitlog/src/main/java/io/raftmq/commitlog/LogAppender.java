package io.raftmq.commitlog;

import io.raftmq.commitlog.error.RecordTooLargeException;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.record.RecordHeader;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The direct write path: checks a batch's records against the limits, then, under the append lock, writes the
 * batch at the tail with {@link LogWriter} (all or nothing) and publishes it to readers and the flush path through
 * {@link PublishedTail}. Used by {@code CommitLog.append} and, outside SYNC mode, by {@code appendCoalesced}.
 *
 * <p>Thread-safety: any thread; the writes are serialized by the append lock.
 */
final class LogAppender {
    private final int recordBytesMax;
    private final LogWriter writer;
    private final PublishedTail tail;
    private final ReentrantLock appendLock;
    private final LogFence fence;

    LogAppender(int recordBytesMax, LogWriter writer, PublishedTail tail, ReentrantLock appendLock, LogFence fence) {
        this.recordBytesMax = recordBytesMax;
        this.writer = writer;
        this.tail = tail;
        this.appendLock = appendLock;
        this.fence = fence;
    }

    /**
     * Checks the batch before anything is written or queued.
     *
     * @throws IllegalArgumentException an empty batch, or a record of the reserved filler type
     * @throws RecordTooLargeException  a record exceeds recordBytesMax
     */
    void check(AppendBatch batch) {
        int n = batch.size();
        Verify.argument(n > 0, "empty append batch");
        for (int i = 0; i < n; i++) {
            long length = (long) RecordHeader.HEADER_LENGTH + batch.body(i).remaining();
            if (length > recordBytesMax) {
                throw new RecordTooLargeException(length, recordBytesMax);
            }
            Verify.argument(batch.type(i) != RecordHeader.TYPE_FILLER, "entry type 0xFF is reserved");
        }
    }

    /** Writes a checked batch whose indices the caller chose (they must start at lastIndex + 1). */
    void append(AppendBatch batch) {
        appendLock.lock();
        try {
            fence.ensureUsable();
            appendLocked(batch);
        } finally {
            appendLock.unlock();
        }
    }

    /** Writes a checked batch, giving its records the next indices. */
    void appendAssigningIndices(AppendBatch batch) {
        appendLock.lock();
        try {
            fence.ensureUsable();
            batch.assignIndices(writer.nextIndex());
            appendLocked(batch);
        } finally {
            appendLock.unlock();
        }
    }

    private void appendLocked(AppendBatch batch) {
        Verify.argument(batch.index(0) == writer.nextIndex(), "append index must be lastIndex + 1");
        try {
            writer.append(batch);
        } catch (IOException e) {
            throw LogFence.ioError("append at " + writer.writePosition(), e);
        }
        batch.setEndPosition(writer.writePosition());
        tail.publish();
    }
}
