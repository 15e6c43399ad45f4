package io.raftmq.commitlog.error;

/**
 * The log holds damaged data that is not a torn tail: a bad record followed by valid ones, a broken crc chain or
 * index sequence in the middle of the log, or a record that fails its crc when read. The log refuses to open
 * (or the read fails); no data is dropped silently. Names the file and the offset inside it.
 */
public final class CorruptLogException extends CommitLogException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final long offset;

    public CorruptLogException(String file, long offset, String reason) {
        super("corrupt commit log: " + file + " at offset " + offset + ": " + reason);
        this.file = file;
        this.offset = offset;
    }

    /** The damaged file's path. */
    public String file() {
        return file;
    }

    /** Offset of the damage inside {@link #file()}. */
    public long offset() {
        return offset;
    }
}
