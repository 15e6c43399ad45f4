package io.raftmq.raft.log;

/**
 * Operating error raised by {@link RaftLog} when an index below the retained range is asked for: the entry was
 * compacted away (retention, or a reset to a snapshot). The leader reacts by sending a snapshot instead.
 */
public final class LogCompactedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long index;
    private final long firstIndex;

    public LogCompactedException(long index, long firstIndex) {
        super("index " + index + " compacted; first retained index is " + firstIndex);
        this.index = index;
        this.firstIndex = firstIndex;
    }

    /** The index that was asked for. */
    public long index() {
        return index;
    }

    /** The log's first retained index at the time of the request. */
    public long firstIndex() {
        return firstIndex;
    }
}
