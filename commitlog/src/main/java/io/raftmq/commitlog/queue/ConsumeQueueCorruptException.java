package io.raftmq.commitlog.queue;

import java.io.IOException;

/**
 * A ConsumeQueue's files fail validation on open: a segment name that is not a multiple of the segment size, a
 * gap between segments, a sealed segment that is not full, or units that are not monotonic in physical offset
 * outside the torn tail. The queue cannot be trusted; the owner deletes and rebuilds it from the CommitLog.
 */
public final class ConsumeQueueCorruptException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception naming the file and the failed check. */
    public ConsumeQueueCorruptException(String message) {
        super(message);
    }
}
