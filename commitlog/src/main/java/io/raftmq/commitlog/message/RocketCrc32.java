package io.raftmq.commitlog.message;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * RocketMQ's BODYCRC (docs/protocol.md §3.7): the standard zlib CRC-32 of the stored body with bit 31 cleared, so the
 * value is a non-negative int. A reusable instance keeps one {@link CRC32} so the data path allocates nothing; an
 * instance is confined to one thread.
 */
public final class RocketCrc32 {
    private final CRC32 crc = new CRC32();

    /**
     * CRC of {@code buffer[offset, offset + length)}. The buffer's position and limit are restored before
     * returning; its content is not changed.
     */
    public int compute(ByteBuffer buffer, int offset, int length) {
        crc.reset();
        if (buffer.hasArray()) {
            crc.update(buffer.array(), buffer.arrayOffset() + offset, length);
        } else {
            int position = buffer.position();
            int limit = buffer.limit();
            buffer.limit(offset + length).position(offset);
            crc.update(buffer);
            buffer.limit(limit).position(position);
        }
        return (int) (crc.getValue() & 0x7FFFFFFFL);
    }

    /** CRC of a whole array; allocates a {@link CRC32}, for the control plane and tests. */
    public static int of(byte[] bytes) {
        CRC32 c = new CRC32();
        c.update(bytes, 0, bytes.length);
        return (int) (c.getValue() & 0x7FFFFFFFL);
    }
}
