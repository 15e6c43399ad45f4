package io.raftmq.broker.replication;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The last entry retention deleted from the head of the commit log (docs/snapshots.md, "Retention"): its index and
 * term, which the Raft log must still answer for ({@code term(firstIndex - 1)}) once the segments holding it are gone.
 * Kept in its own small file beside the snapshot reset's boundary, replaced atomically by
 * {@link CommitLogRaftLog#compactTo}, always BEFORE the segments are deleted: after a crash the file may name an
 * entry still on disk (the deletion is then finished on open), never one below the log's first index minus one.
 * A separate file from the reset's, because an interrupted reset is finished by emptying the log, an interrupted
 * compaction by deleting the head segments only.
 *
 * <pre>
 *  0        4     5           8                16               24       28
 *  +--------+-----+-----------+----------------+----------------+--------+
 *  | magic  | ver | 0 0 0     |     index      |      term      | crc32c |
 *  +--------+-----+-----------+----------------+----------------+--------+
 * </pre>
 * Big-endian. magic = {@code 0x52464342} ("RFCB"), version 1, crc32c over [0, 24).
 *
 * @param index last index deleted (the new first index minus one)
 * @param term  term of that entry
 */
record CompactionBoundary(long index, long term) {
    static final int MAGIC = 0x52464342;
    static final byte VERSION = 1;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int INDEX_OFFSET = 8;
    static final int TERM_OFFSET = 16;
    static final int CRC_OFFSET = 24;
    static final int LENGTH = 28;

    static {
        if (CRC_OFFSET + Integer.BYTES != LENGTH || TERM_OFFSET + Long.BYTES != CRC_OFFSET) {
            throw new IllegalStateException("compaction boundary layout");
        }
    }

    CompactionBoundary {
        if (index < 1 || term < 0) {
            throw new IllegalArgumentException("compaction boundary index must be >= 1 and term >= 0, got "
                + index + ", " + term);
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
     * @throws CorruptException naming {@code file} when the content is torn or damaged
     */
    static CompactionBoundary decode(byte[] bytes, Path file) {
        if (bytes.length != LENGTH) {
            throw new CorruptException(file, "length " + bytes.length + " instead of " + LENGTH);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(MAGIC_OFFSET) != MAGIC || b.get(VERSION_OFFSET) != VERSION) {
            throw new CorruptException(file, "bad magic or version");
        }
        if (b.getInt(CRC_OFFSET) != crc(b)) {
            throw new CorruptException(file, "crc mismatch");
        }
        try {
            return new CompactionBoundary(b.getLong(INDEX_OFFSET), b.getLong(TERM_OFFSET));
        } catch (IllegalArgumentException e) {
            throw new CorruptException(file, e.getMessage());
        }
    }

    private static int crc(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate().position(0).limit(CRC_OFFSET));
        return (int) c.getValue();
    }

    /** The compaction boundary file is torn or damaged; the message names it. */
    static final class CorruptException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CorruptException(Path file, String why) {
            super("corrupt raft compaction boundary file " + file + ": " + why);
        }
    }
}
