package io.raftmq.commitlog.index;

import io.raftmq.commitlog.error.Verify;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The fixed-width unit of the raft-index file: index -> (position, term). Big-endian, 32 bytes per index, so the
 * unit of index i sits at byte {@code (i - segmentBaseIndex) * 32} of its index segment.
 *
 * <pre>
 *  0                 8                 16                24        28        32
 *  +-----------------+-----------------+-----------------+---------+---------+
 *  |    position     |      term       |      index      |  crc    |  magic  |
 *  +-----------------+-----------------+-----------------+---------+---------+
 * </pre>
 *
 * crc = CRC32C over bytes [0, 24); magic = {@code 0x49445831} ("IDX1"). A never-written unit is all zeros and
 * fails the magic check; a torn or flipped unit fails the crc or carries the wrong index. The index file is
 * derived data: recovery rebuilds it from the log whenever a unit disagrees.
 */
public final class IndexUnit {
    public static final int POSITION_OFFSET = 0;
    public static final int TERM_OFFSET = 8;
    public static final int INDEX_OFFSET = 16;
    public static final int CRC_OFFSET = 24;
    public static final int MAGIC_OFFSET = 28;
    public static final int LENGTH = 32;
    public static final int MAGIC = 0x49445831;

    static {
        Verify.state(MAGIC_OFFSET + Integer.BYTES == LENGTH, "index unit layout", MAGIC_OFFSET, LENGTH);
    }

    private IndexUnit() {
    }

    /** Writes the unit at absolute offset {@code at} of {@code buf}. */
    public static void write(ByteBuffer buf, int at, long position, long term, long index, CRC32C crc) {
        buf.putLong(at + POSITION_OFFSET, position);
        buf.putLong(at + TERM_OFFSET, term);
        buf.putLong(at + INDEX_OFFSET, index);
        buf.putInt(at + CRC_OFFSET, crcOf(buf, at, crc));
        buf.putInt(at + MAGIC_OFFSET, MAGIC);
    }

    /** True if the unit at {@code at} is intact and belongs to {@code index}. */
    public static boolean isValid(ByteBuffer buf, int at, long index, CRC32C crc) {
        return buf.getInt(at + MAGIC_OFFSET) == MAGIC && buf.getLong(at + INDEX_OFFSET) == index
            && buf.getInt(at + CRC_OFFSET) == crcOf(buf, at, crc);
    }

    private static int crcOf(ByteBuffer buf, int at, CRC32C crc) {
        crc.reset();
        int pos = buf.position();
        int lim = buf.limit();
        try {
            buf.limit(at + CRC_OFFSET).position(at);
            crc.update(buf);
        } finally {
            buf.limit(lim).position(pos);
        }
        return (int) crc.getValue();
    }

    public static long position(ByteBuffer buf, int at) {
        return buf.getLong(at + POSITION_OFFSET);
    }

    public static long term(ByteBuffer buf, int at) {
        return buf.getLong(at + TERM_OFFSET);
    }
}
