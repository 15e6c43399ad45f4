package io.raftmq.broker.replication;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The (index, term) of the last entry a snapshot covers, which a Raft log must still answer for
 * ({@code term(firstIndex - 1)}) after {@link CommitLogRaftLog#resetToSnapshot} emptied the commit log, and (version
 * 2) the {@link LogPosition} the store restarts at. Stored in its own small file, replaced atomically, written before
 * the store is reset: it is the commit point of an install, and recovery finishes a reset that a crash interrupted.
 *
 * <pre>
 * version 1 (no position: the log restarted at this member's own end)
 *  0        4     5           8                16               24       28
 *  +--------+-----+-----------+----------------+----------------+--------+
 *  | magic  | ver | 0 0 0     |     index      |      term      | crc32c |
 *  +--------+-----+-----------+----------------+----------------+--------+
 * version 2
 *  0        4     5           8                16               24                28                 28 + n
 *  +--------+-----+-----------+----------------+----------------+-----------------+-----------------+--------+
 *  | magic  | ver | 0 0 0     |     index      |      term      | positionLength n| LogPosition (n) | crc32c |
 *  +--------+-----+-----------+----------------+----------------+-----------------+-----------------+--------+
 * </pre>
 * Big-endian. magic = {@code 0x52465342} ("RFSB"), crc32c over every byte before it.
 *
 * @param index    last index covered by the snapshot
 * @param term     term of that entry
 * @param position where the store restarts (its index is {@code index}); null in version 1
 */
record SnapshotBoundary(long index, long term, LogPosition position) {
    static final int MAGIC = 0x52465342;
    static final byte VERSION = 1;
    static final byte VERSION_POSITION = 2;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int INDEX_OFFSET = 8;
    static final int TERM_OFFSET = 16;
    static final int CRC_OFFSET = 24;
    static final int LENGTH = 28;
    static final int POSITION_LENGTH_OFFSET = 24;
    static final int POSITION_OFFSET = 28;
    /** Bound on a version-2 file (a LogPosition of many queues stays far below). */
    static final int POSITION_BYTES_MAX = 64 << 20;

    static {
        if (CRC_OFFSET + Integer.BYTES != LENGTH || TERM_OFFSET + Long.BYTES != CRC_OFFSET
            || POSITION_LENGTH_OFFSET + Integer.BYTES != POSITION_OFFSET) {
            throw new IllegalStateException("snapshot boundary layout");
        }
    }

    SnapshotBoundary {
        if (index < 0 || term < 0) {
            throw new IllegalArgumentException("snapshot boundary index and term must be >= 0");
        }
        if (position != null && position.index() != index) {
            throw new IllegalArgumentException("snapshot boundary position is for another index");
        }
    }

    SnapshotBoundary(long index, long term) {
        this(index, term, null);
    }

    byte[] encode() {
        if (position == null) {
            ByteBuffer b = ByteBuffer.allocate(LENGTH);
            b.putInt(MAGIC_OFFSET, MAGIC).put(VERSION_OFFSET, VERSION).putLong(INDEX_OFFSET, index)
                .putLong(TERM_OFFSET, term);
            b.putInt(CRC_OFFSET, crc(b.array(), CRC_OFFSET));
            return b.array();
        }
        byte[] p = position.encode();
        ByteBuffer b = ByteBuffer.allocate(POSITION_OFFSET + p.length + Integer.BYTES);
        b.putInt(MAGIC).put(VERSION_POSITION).put(new byte[3]).putLong(index).putLong(term).putInt(p.length).put(p);
        b.putInt(crc(b.array(), b.position()));
        return b.array();
    }

    /**
     * Decodes a whole file's content.
     *
     * @throws CorruptBoundaryException naming {@code file} when the content is torn or damaged
     */
    static SnapshotBoundary decode(byte[] bytes, Path file) {
        if (bytes.length < LENGTH) {
            throw new CorruptBoundaryException(file, "length " + bytes.length + " below " + LENGTH);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get(VERSION_OFFSET);
        if (b.getInt(MAGIC_OFFSET) != MAGIC || (version != VERSION && version != VERSION_POSITION)) {
            throw new CorruptBoundaryException(file, "bad magic or version");
        }
        int expected = version == VERSION ? LENGTH : POSITION_OFFSET + positionLength(b, file) + Integer.BYTES;
        if (bytes.length != expected) {
            throw new CorruptBoundaryException(file, "length " + bytes.length + " instead of " + expected);
        }
        if (b.getInt(bytes.length - Integer.BYTES) != crc(bytes, bytes.length - Integer.BYTES)) {
            throw new CorruptBoundaryException(file, "crc mismatch");
        }
        try {
            LogPosition p = version == VERSION ? null
                : LogPosition.decode(Arrays.copyOfRange(bytes, POSITION_OFFSET, bytes.length - Integer.BYTES));
            return new SnapshotBoundary(b.getLong(INDEX_OFFSET), b.getLong(TERM_OFFSET), p);
        } catch (IllegalArgumentException e) {
            throw new CorruptBoundaryException(file, e.getMessage());
        }
    }

    private static int positionLength(ByteBuffer b, Path file) {
        if (b.limit() < POSITION_OFFSET) {
            throw new CorruptBoundaryException(file, "version 2 shorter than its header");
        }
        int n = b.getInt(POSITION_LENGTH_OFFSET);
        if (n < 0 || n > POSITION_BYTES_MAX) {
            throw new CorruptBoundaryException(file, "position length " + n);
        }
        return n;
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C c = new CRC32C();
        c.update(bytes, 0, length);
        return (int) c.getValue();
    }

    /** The boundary file is torn or damaged; the message names it. */
    static final class CorruptBoundaryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CorruptBoundaryException(Path file, String why) {
            super("corrupt raft snapshot boundary file " + file + ": " + why);
        }
    }
}
