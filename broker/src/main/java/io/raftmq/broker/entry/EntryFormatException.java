package io.raftmq.broker.entry;

/**
 * A metadata entry or snapshot payload that does not decode: truncated, trailing bytes, an unknown format version,
 * an out-of-range length or count. For a committed entry this means the log is corrupt or was written by a newer
 * broker; the applier must not skip it (replicas would diverge), so the Raft driver stops the node.
 */
public final class EntryFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EntryFormatException(String message) {
        super(message);
    }
}
