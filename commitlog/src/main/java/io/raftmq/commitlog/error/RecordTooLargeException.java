package io.raftmq.commitlog.error;

/** A record (header + body) is larger than {@code CommitLogConfig.recordBytesMax()}; nothing was appended. */
public final class RecordTooLargeException extends CommitLogException {
    private static final long serialVersionUID = 1L;
    private final long recordBytes;

    public RecordTooLargeException(long recordBytes, long recordBytesMax) {
        super("record of " + recordBytes + " bytes exceeds recordBytesMax " + recordBytesMax);
        this.recordBytes = recordBytes;
    }

    public long recordBytes() {
        return recordBytes;
    }
}
