package io.raftmq.broker.snapshot;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * One persisted broker snapshot: where it stands in the log (index, term, the commit-log position of the next
 * record), the group's membership as of its index, and the {@link SnapshotImage} (the named parts).
 * <pre>
 *  0        4     5       8            16           24               32              36
 *  +--------+-----+-------+------------+------------+----------------+---------------+
 *  | magic  | ver | 0 0 0 | index i64  | term i64   | nextPosition   | membershipLen |
 *  |        |     |       |            |            | i64            | i32 (m)       |
 *  +--------+-----+-------+------------+------------+----------------+---------------+
 *  36                 36+m           40+m                 40+m+n
 *  +------------------+--------------+--------------------+-----------------------------+
 *  | membership (m B) | imageLen (n) | SnapshotImage (n B)| crc32c of bytes [0, 40+m+n) |
 *  +------------------+--------------+--------------------+-----------------------------+
 * </pre>
 * Big-endian. magic = {@code 0x524D5346} ("RMSF"), version 1. The header's nextPosition equals the image's. The file
 * is exactly {@code 44 + m + n} bytes: a shorter (torn) or longer file, a bad length or a checksum mismatch is
 * reported as {@link CorruptSnapshotException} naming the file. The image keeps its own per-part and whole-image
 * CRCs, so it is verified again when it travels alone (a leader's install).
 *
 * @param index        last entry the snapshot covers
 * @param term         that entry's term
 * @param membership   encoded member set as of {@code index} (empty: the group's initial configuration)
 * @param image        the encoded {@link SnapshotImage}
 * @param nextPosition the image's next position (also in the header)
 */
public record SnapshotFile(long index, long term, long nextPosition, byte[] membership, byte[] image) {
    public static final int MAGIC = 0x524D5346;
    public static final byte VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int INDEX_OFFSET = 8;
    public static final int TERM_OFFSET = 16;
    public static final int NEXT_POSITION_OFFSET = 24;
    public static final int MEMBERSHIP_LENGTH_OFFSET = 32;
    public static final int HEADER_LENGTH = 36;
    public static final int CRC_LENGTH = 4;
    /** Fixed bytes around the two variable fields: header, image length, crc. */
    public static final int FIXED_LENGTH = HEADER_LENGTH + Integer.BYTES + CRC_LENGTH;
    /** Largest membership accepted (a member set is a few hundred bytes). */
    public static final int MEMBERSHIP_BYTES_MAX = 1 << 20;

    static {
        if (MEMBERSHIP_LENGTH_OFFSET + Integer.BYTES != HEADER_LENGTH || FIXED_LENGTH != 44) {
            throw new IllegalStateException("snapshot file layout");
        }
    }

    public SnapshotFile {
        if (index < 0 || term < 0 || nextPosition < 0) {
            throw new IllegalArgumentException("snapshot index, term and nextPosition must be >= 0");
        }
        if (membership.length > MEMBERSHIP_BYTES_MAX) {
            throw new IllegalArgumentException("membership of " + membership.length + " bytes exceeds "
                + MEMBERSHIP_BYTES_MAX);
        }
    }

    /** Where this snapshot stands in the log. */
    public SnapshotInfo info() {
        return new SnapshotInfo(index, term, nextPosition);
    }

    /** The whole file's bytes. */
    public byte[] encode() {
        long total = (long) FIXED_LENGTH + membership.length + image.length;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("snapshot of " + total + " bytes is too large for one file");
        }
        ByteBuffer b = ByteBuffer.allocate((int) total);
        b.putInt(MAGIC).put(VERSION).put(new byte[3]).putLong(index).putLong(term).putLong(nextPosition)
            .putInt(membership.length).put(membership).putInt(image.length).put(image);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /**
     * Decodes and verifies a whole file's content, the embedded image included.
     *
     * @throws CorruptSnapshotException naming {@code file}: torn, damaged, or of an unknown format
     */
    public static SnapshotFile decode(byte[] bytes, Path file) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (bytes.length < FIXED_LENGTH) {
            throw new CorruptSnapshotException(file, "torn: " + bytes.length + " bytes, less than a header");
        }
        if (b.getInt(MAGIC_OFFSET) != MAGIC || b.get(VERSION_OFFSET) != VERSION) {
            throw new CorruptSnapshotException(file, "bad magic or unknown version " + b.get(VERSION_OFFSET));
        }
        int m = b.getInt(MEMBERSHIP_LENGTH_OFFSET);
        if (m < 0 || m > MEMBERSHIP_BYTES_MAX || m > bytes.length - FIXED_LENGTH) {
            throw new CorruptSnapshotException(file, "bad membership length " + m + " (torn?)");
        }
        int n = b.getInt(HEADER_LENGTH + m);
        if (n < 0 || (long) FIXED_LENGTH + m + n != bytes.length) {
            throw new CorruptSnapshotException(file, "image length " + n + " does not match the file's "
                + bytes.length + " bytes (torn?)");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - CRC_LENGTH);
        if (b.getInt(bytes.length - CRC_LENGTH) != (int) crc.getValue()) {
            throw new CorruptSnapshotException(file, "CRC32C mismatch");
        }
        byte[] membership = new byte[m];
        b.position(HEADER_LENGTH).get(membership);
        byte[] image = new byte[n];
        b.position(HEADER_LENGTH + m + Integer.BYTES).get(image);
        long next = b.getLong(NEXT_POSITION_OFFSET);
        SnapshotImage decoded = SnapshotImage.decode(image, "snapshot file " + file);
        if (decoded.nextPosition() != next) {
            throw new CorruptSnapshotException(file, "header nextPosition " + next + " differs from the image's "
                + decoded.nextPosition());
        }
        try {
            return new SnapshotFile(b.getLong(INDEX_OFFSET), b.getLong(TERM_OFFSET), next, membership, image);
        } catch (IllegalArgumentException e) {
            throw new CorruptSnapshotException(file, e.getMessage());
        }
    }
}
