package io.raftmq.commitlog;

import java.nio.ByteBuffer;

/**
 * Hook that lets the owner of the log write position-dependent fields into a record's body (RocketMQ's
 * PHYSICALOFFSET and QUEUEOFFSET) deterministically. Called on every replica, leader and followers alike, inside
 * the append critical section, after the body was copied and before the crc is computed. Because positions depend
 * only on the segment size and the sequence of records, replicas that use the same segment size store
 * byte-identical records.
 *
 * <p>Thread-safety: calls are serialized by the log's append lock; never called concurrently with itself.
 * Buffer ownership: {@code body} belongs to the log and is only valid during the call; the stamper may change bytes
 * in [body.position(), body.limit()) with absolute puts but must not keep the buffer nor change its position,
 * limit or byte order. The stamper must not throw for well-formed bodies: an exception aborts the whole batch.
 */
public interface RecordStamper {

    /** A stamper that changes nothing. */
    RecordStamper NONE = new RecordStamper() {
        @Override
        public void stamp(byte type, ByteBuffer body, long bodyPosition) {
        }

        @Override
        public void truncated(long fromPosition) {
        }
    };

    /**
     * Stamps one body about to be appended.
     *
     * @param type         the record's entry type
     * @param body         the body bytes, [position, limit)
     * @param bodyPosition absolute log position of the body's first byte (record position + 48)
     */
    void stamp(byte type, ByteBuffer body, long bodyPosition);

    /**
     * Every record at or after {@code fromPosition} was removed ({@link CommitLog#truncateFrom}, a failed batch
     * being rolled back, or {@link CommitLog#resetTo}); the stamper must forget state derived from them.
     * Called under the append lock.
     */
    void truncated(long fromPosition);
}
