package io.raftmq.commitlog.record;

import io.raftmq.commitlog.error.Verify;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk record format of the commit log: one record per Raft entry, a 48-byte header followed by the body.
 * All integers are big-endian. Records are packed back to back inside a segment, with no alignment.
 *
 * <pre>
 *  0        4     5     6        8              12             16             20             24
 *  +--------+-----+-----+--------+--------------+--------------+--------------+--------------+
 *  | magic  | ver | type| 0 0    | recordLength |    crc       |   prevCrc    |  bodyLength  |
 *  +--------+-----+-----+--------+--------------+--------------+--------------+--------------+
 *  24                            32                            40                            48
 *  +-----------------------------+-----------------------------+-----------------------------+
 *  |           term              |           index             |      storeTimestampMs       |
 *  +-----------------------------+-----------------------------+-----------------------------+
 *  48 body (bodyLength bytes) ...
 * </pre>
 *
 * <ul>
 *   <li>magic = {@code 0x524D514C} ("RMQL"), version = 1; bytes 6..7 are zero.
 *   <li>recordLength = 48 + bodyLength for data records. Type {@link #TYPE_FILLER} (0xFF, reserved: appends
 *       may not use it) marks the blank filler that closes a segment: its recordLength runs to the segment end,
 *       bodyLength is 0 and its body bytes are not covered by the crc. When fewer than 48 bytes remain in a segment
 *       no filler is written; the zeros there mean the same thing.
 *   <li>crc = CRC32C over bytes [0, 12) and [16, recordLength) (for a filler: [0, 12) and [16, 48)).
 *   <li>prevCrc = crc of the previous data record of the log (fillers are skipped and do not enter the chain).
 *       Reset rule: the first record of a brand-new log has prevCrc 0, after {@code resetTo} the value given
 *       (0 unless a snapshot install passes the leader's crc of the record before); after
 *       {@code truncateFrom(i)} the next record links to the crc of record i-1. A filler carries the chain value
 *       (the crc of the last data record before it). Recovery checks the link between consecutive records.
 *   <li>term, index, storeTimestampMs, type: opaque to the log, except that index must be contiguous. A filler has
 *       term 0, index = the next index to be written, timestamp 0.
 * </ul>
 *
 * Thread-safety: stateless static helpers; the {@link CRC32C} instance is supplied by the (single) caller.
 */
public final class RecordHeader {
    public static final int MAGIC = 0x524D514C;
    public static final byte VERSION = 1;
    public static final byte TYPE_FILLER = (byte) 0xFF;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int TYPE_OFFSET = 5;
    public static final int RESERVED_OFFSET = 6;
    public static final int RECORD_LENGTH_OFFSET = 8;
    public static final int CRC_OFFSET = 12;
    public static final int PREV_CRC_OFFSET = 16;
    public static final int BODY_LENGTH_OFFSET = 20;
    public static final int TERM_OFFSET = 24;
    public static final int INDEX_OFFSET = 32;
    public static final int TIMESTAMP_OFFSET = 40;
    public static final int HEADER_LENGTH = 48;

    static {
        Verify.state(TIMESTAMP_OFFSET + Long.BYTES == HEADER_LENGTH, "record header layout", TIMESTAMP_OFFSET,
            HEADER_LENGTH);
        Verify.state(CRC_OFFSET + Integer.BYTES == PREV_CRC_OFFSET, "crc field placement", CRC_OFFSET,
            PREV_CRC_OFFSET);
    }

    /** Outcome of {@link #check}: a valid record, a valid filler, or not a record at all. */
    public static final int VALID_DATA = 0;
    public static final int VALID_FILLER = 1;
    public static final int INVALID = 2;
    /** The header is well-formed but the record runs past the bytes available: read more and check again. */
    public static final int INCOMPLETE = 3;

    private RecordHeader() {
    }

    /**
     * Writes a data record header at absolute offset {@code at} of {@code buf} (the body must already be at
     * {@code at + 48}) and fills in the crc. Returns the crc.
     */
    public static int writeData(ByteBuffer buf, int at, CRC32C crc, byte type, int prevCrc, int bodyLength,
        long term, long index, long timestampMs) {
        Verify.state(type != TYPE_FILLER, "type 0xFF is reserved for fillers", type);
        Verify.state(bodyLength >= 0, "negative body length", bodyLength);
        putFixed(buf, at, type, HEADER_LENGTH + bodyLength, prevCrc, bodyLength, term, index, timestampMs);
        int c = computeCrc(buf, at, HEADER_LENGTH + bodyLength, crc);
        buf.putInt(at + CRC_OFFSET, c);
        return c;
    }

    /** Writes a filler header of {@code length} bytes (>= 48) at offset {@code at}; body bytes are left alone. */
    public static void writeFiller(ByteBuffer buf, int at, CRC32C crc, int length, int prevCrc, long nextIndex) {
        Verify.state(length >= HEADER_LENGTH, "filler shorter than a header", length);
        putFixed(buf, at, TYPE_FILLER, length, prevCrc, 0, 0L, nextIndex, 0L);
        buf.putInt(at + CRC_OFFSET, computeCrc(buf, at, HEADER_LENGTH, crc));
    }

    private static void putFixed(ByteBuffer buf, int at, byte type, int recordLength, int prevCrc, int bodyLength,
        long term, long index, long timestampMs) {
        buf.putInt(at + MAGIC_OFFSET, MAGIC);
        buf.put(at + VERSION_OFFSET, VERSION);
        buf.put(at + TYPE_OFFSET, type);
        buf.putShort(at + RESERVED_OFFSET, (short) 0);
        buf.putInt(at + RECORD_LENGTH_OFFSET, recordLength);
        buf.putInt(at + CRC_OFFSET, 0);
        buf.putInt(at + PREV_CRC_OFFSET, prevCrc);
        buf.putInt(at + BODY_LENGTH_OFFSET, bodyLength);
        buf.putLong(at + TERM_OFFSET, term);
        buf.putLong(at + INDEX_OFFSET, index);
        buf.putLong(at + TIMESTAMP_OFFSET, timestampMs);
    }

    /** CRC32C over [at, at+12) and [at+16, at+covered) of {@code buf}, leaving buf's position and limit intact. */
    public static int computeCrc(ByteBuffer buf, int at, int covered, CRC32C crc) {
        crc.reset();
        int pos = buf.position();
        int lim = buf.limit();
        try {
            buf.limit(at + CRC_OFFSET).position(at);
            crc.update(buf);
            buf.limit(at + covered).position(at + PREV_CRC_OFFSET);
            crc.update(buf);
        } finally {
            buf.limit(lim).position(pos);
        }
        return (int) crc.getValue();
    }

    /**
     * Validates the record at {@code at} whose bytes [at, at+available) are present in {@code buf}: magic, version,
     * zero reserved bytes, lengths (data: 48 + bodyLength, at most {@code recordMax} and at most
     * {@code fillerLength}, the bytes left in the segment; filler: exactly {@code fillerLength}) and crc. Returns
     * {@link #VALID_DATA}, {@link #VALID_FILLER}, {@link #INVALID}, or {@link #INCOMPLETE} when a well-formed
     * header announces more bytes than {@code available}.
     */
    public static int check(ByteBuffer buf, int at, int available, int recordMax, int fillerLength, CRC32C crc) {
        if (available < HEADER_LENGTH || buf.getInt(at + MAGIC_OFFSET) != MAGIC) {
            return INVALID;
        }
        if (buf.get(at + VERSION_OFFSET) != VERSION || buf.getShort(at + RESERVED_OFFSET) != 0) {
            return INVALID;
        }
        int length = buf.getInt(at + RECORD_LENGTH_OFFSET);
        int bodyLength = buf.getInt(at + BODY_LENGTH_OFFSET);
        boolean filler = buf.get(at + TYPE_OFFSET) == TYPE_FILLER;
        if (filler) {
            if (length != fillerLength || bodyLength != 0) {
                return INVALID;
            }
            return computeCrc(buf, at, HEADER_LENGTH, crc) == buf.getInt(at + CRC_OFFSET) ? VALID_FILLER : INVALID;
        }
        if (bodyLength < 0 || length != HEADER_LENGTH + bodyLength || length > recordMax || length > fillerLength) {
            return INVALID;
        }
        if (length > available) {
            return INCOMPLETE;
        }
        return computeCrc(buf, at, length, crc) == buf.getInt(at + CRC_OFFSET) ? VALID_DATA : INVALID;
    }

    /** Record length field of the header at {@code at}. */
    public static int recordLength(ByteBuffer buf, int at) {
        return buf.getInt(at + RECORD_LENGTH_OFFSET);
    }

    public static int crc(ByteBuffer buf, int at) {
        return buf.getInt(at + CRC_OFFSET);
    }

    public static int prevCrc(ByteBuffer buf, int at) {
        return buf.getInt(at + PREV_CRC_OFFSET);
    }

    public static int bodyLength(ByteBuffer buf, int at) {
        return buf.getInt(at + BODY_LENGTH_OFFSET);
    }

    public static byte type(ByteBuffer buf, int at) {
        return buf.get(at + TYPE_OFFSET);
    }

    public static long term(ByteBuffer buf, int at) {
        return buf.getLong(at + TERM_OFFSET);
    }

    public static long index(ByteBuffer buf, int at) {
        return buf.getLong(at + INDEX_OFFSET);
    }

    public static long timestampMs(ByteBuffer buf, int at) {
        return buf.getLong(at + TIMESTAMP_OFFSET);
    }
}
