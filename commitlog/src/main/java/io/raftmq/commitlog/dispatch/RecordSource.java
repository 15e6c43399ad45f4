package io.raftmq.commitlog.dispatch;

import java.nio.ByteBuffer;

/**
 * Port: the records of a log by absolute position, as the dispatcher and the queue-offset stamper read them.
 * Implemented over the CommitLog by {@link CommitLogRecordSource}; tests may use it directly.
 */
public interface RecordSource {

    /** Receives one record. */
    interface Visitor {
        /**
         * One record. {@code buffer[bodyOffset, bodyOffset + bodyLength)} is the body (big-endian); the buffer
         * belongs to the source and is valid only during the call. {@code bodyPosition} is the body's absolute
         * log position, {@code endPosition} the position just after the record.
         */
        void record(byte type, long index, ByteBuffer buffer, int bodyOffset, int bodyLength, long bodyPosition,
                    long endPosition);
    }

    /** Position of the first retained record. */
    long startPosition();

    /** End of the last readable record. */
    long endPosition();

    /**
     * Visits, in order, every record that starts at or after {@code fromPosition} (a record boundary) and ends
     * at or before {@code limitPosition}; fillers between segments are skipped. Never visits a record that
     * crosses {@code limitPosition}.
     *
     * @return the position after the last record visited ({@code fromPosition} if none), which is where the
     *         next call resumes; never past a filler that no visited record follows (that filler was written with
     *         the record that opened the next segment, which a truncation may still remove, docs/storage.md)
     * @throws io.raftmq.commitlog.error.LogTruncatedException if {@code fromPosition} is before the log start
     * @throws io.raftmq.commitlog.error.CorruptLogException   if a record fails its CRC
     */
    long forEach(long fromPosition, long limitPosition, Visitor visitor);
}
