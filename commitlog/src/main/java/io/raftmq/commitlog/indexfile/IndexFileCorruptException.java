package io.raftmq.commitlog.indexfile;

import java.io.IOException;

/**
 * An index file fails validation: wrong length for the configured slot and entry counts, a header whose counts
 * or offsets are out of range or disagree with the last entry, or entries that do not undo cleanly on
 * truncation. The owner deletes the index and rebuilds it from the CommitLog.
 */
public final class IndexFileCorruptException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception naming the file and the failed check. */
    public IndexFileCorruptException(String message) {
        super(message);
    }
}
