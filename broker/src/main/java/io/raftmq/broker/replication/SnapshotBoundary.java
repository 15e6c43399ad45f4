package io.raftmq.broker.replication;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The (index, term) of the last entry a snapshot covers, which a Raft log must still answer for
 * ({@code term(firstIndex - 1)}) after {@link CommitLogRaftLog#resetToSnapshot} emptied the commit log. Stored in
 * its own small file, replaced atomically, written before the commit log is reset (recovery finishes a reset that
 * a crash interrupted).
 *
 * <pre>
 *  0        4     5           8                16               24       28
 *  +--------+-----+-----------+----------------+----------------+--------+
 *  | magic  | ver | 0 0 0     |     index      |      term      | crc32c |
 *  +--------+-----+-----------+----------------+----------------+--------+
 * </pre>
 * Big-endian. magic = {@code 0x52465342} ("RFSB"), version 1, crc32c over [0, 24).
 *
 * @param index last index covered by the snapshot
 * @param term  term of that entry
 */
record SnapshotBoundary(long index, long term) {
    static final int MAGIC = 0x52465342;
    static final byte VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int INDEX_OFFSET = 8;
    static final int TERM_OFFSET = 16;
    static final int CRC_OFFSET = 24;
    static final int LENGTH = 28;

    static {
        if (CRC_OFFSET + Integer.BYTES != LENGTH || TERM_OFFSET + Long.BYTES != CRC_OFFSET) {
            throw new IllegalStateException("snapshot boundary layout");
        }
    }

    SnapshotBoundary {
        if (index < 0 || term < 0) {
            throw new IllegalArgumentException("snapshot boundary index and term must be >= 0");
        }
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.putInt(MAGIC_OFFSET, MAGIC).put(VERSION_OFFSET, VERSION).putLong(INDEX_OFFSET, index)
            .putLong(TERM_OFFSET, term);
        b.putInt(CRC_OFFSET, crc(b));
        return b.array();
    }

    /**
     * Decodes a whole file's content.
     *
     * @throws CorruptBoundaryException naming {@code file} when the content is torn or damaged
     */
    static SnapshotBoundary decode(byte[] bytes, Path file) {
        if (bytes.length != LENGTH) {
            throw new CorruptBoundaryException(file, "length " + bytes.length + " instead of " + LENGTH);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(MAGIC_OFFSET) != MAGIC || b.get(VERSION_OFFSET) != VERSION) {
            throw new CorruptBoundaryException(file, "bad magic or version");
        }
        if (b.getInt(CRC_OFFSET) != crc(b)) {
            throw new CorruptBoundaryException(file, "crc mismatch");
        }
        try {
            return new SnapshotBoundary(b.getLong(INDEX_OFFSET), b.getLong(TERM_OFFSET));
        } catch (IllegalArgumentException e) {
            throw new CorruptBoundaryException(file, e.getMessage());
        }
    }

    private static int crc(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate().position(0).limit(CRC_OFFSET));
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
