package io.raftmq.commitlog.recovery;

import io.raftmq.commitlog.error.Verify;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The recovery checkpoint: a small file, replaced atomically, that says where recovery may start scanning. Every
 * byte before {@code position} was durable in the log and every index unit before {@code nextIndex} was durable in
 * the index when it was written. Big-endian, 64 bytes.
 *
 * <pre>
 *  0       4         8              16                 24          32           40       44      48
 *  +-------+---------+--------------+------------------+-----------+------------+--------+-------+
 *  | magic | version | segmentBytes | logStartPosition | position  | nextIndex  |prevCrc | flags |
 *  +-------+---------+--------------+------------------+-----------+------------+--------+-------+
 *  48           56      60      64
 *  +------------+-------+-------+
 *  | firstIndex |  crc  |   0   |
 *  +------------+-------+-------+
 * </pre>
 *
 * magic {@code 0x524D4350} ("RMCP"), version 1. logStartPosition/firstIndex: the first retained record (or where
 * the next one goes, for an empty log). position/nextIndex/prevCrc: the scan start, the index expected there and
 * the crc the record there must link to. flags bit 0 = written by a clean close (position is the log end); bit 1 =
 * written before a truncation to position (everything from position on is being removed: recovery finishes that
 * removal before it scans, see {@code LogRecovery}); with logStartPosition == position it was written before a
 * reset of the whole log to position ({@link #resetting()}: every old segment is being removed). crc = CRC32C over
 * [0, 56).
 *
 * @param segmentBytes     segment size the log was written with (a reopen with another size is refused)
 * @param logStartPosition position of the first retained record
 * @param position         recovery scan start (a record boundary)
 * @param nextIndex        index of the record at {@code position}
 * @param prevCrc          crc the record at {@code position} links to (0 if none)
 * @param clean            written by a clean close
 * @param firstIndex       index of the first retained record
 * @param truncating       written before a truncation to {@code position}: nothing at or after it is kept
 */
public record Checkpoint(long segmentBytes, long logStartPosition, long position, long nextIndex, int prevCrc,
    boolean clean, long firstIndex, boolean truncating) {
    public static final int MAGIC = 0x524D4350;
    public static final int VERSION = 1;
    public static final int LENGTH = 64;
    static final int CRC_OFFSET = 56;

    static final int FLAG_CLEAN = 1;
    static final int FLAG_TRUNCATING = 2;

    static {
        Verify.state(CRC_OFFSET + 8 == LENGTH, "checkpoint layout", CRC_OFFSET, LENGTH);
    }

    public Checkpoint {
        Verify.argument(!(clean && truncating), "a checkpoint is not both clean and truncating");
    }

    /** A checkpoint that is not a truncation's. */
    public Checkpoint(long segmentBytes, long logStartPosition, long position, long nextIndex, int prevCrc,
        boolean clean, long firstIndex) {
        this(segmentBytes, logStartPosition, position, nextIndex, prevCrc, clean, firstIndex, false);
    }

    /**
     * Written before a reset of the whole log to {@code position} ({@code CommitLog.resetTo}): nothing before or at
     * it is kept, the log restarts empty there. A truncation's checkpoint always keeps records before its position,
     * so it never has the log start at its position.
     */
    public boolean resetting() {
        return truncating && logStartPosition == position;
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.putInt(MAGIC).putInt(VERSION).putLong(segmentBytes).putLong(logStartPosition).putLong(position)
            .putLong(nextIndex).putInt(prevCrc).putInt((clean ? FLAG_CLEAN : 0) | (truncating ? FLAG_TRUNCATING : 0))
            .putLong(firstIndex);
        b.putInt(CRC_OFFSET, crc(b.array()));
        return b.array();
    }

    /** Decodes a checkpoint file; null if absent, short, or failing magic/version/crc (then recovery scans all). */
    public static Checkpoint decode(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(0) != MAGIC || b.getInt(4) != VERSION || b.getInt(CRC_OFFSET) != crc(bytes)) {
            return null;
        }
        return new Checkpoint(b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32), b.getInt(40),
            (b.getInt(44) & FLAG_CLEAN) != 0, b.getLong(48), (b.getInt(44) & FLAG_TRUNCATING) != 0);
    }

    private static int crc(byte[] bytes) {
        CRC32C c = new CRC32C();
        c.update(bytes, 0, CRC_OFFSET);
        return (int) c.getValue();
    }
}
