package io.raftmq.broker.snapshot;

import java.nio.file.Path;

/**
 * A snapshot file or image that is torn, bit-flipped or of an unknown format. The message names the file (or says
 * where the image came from) and what is wrong; such a snapshot is never used (docs/snapshots.md rule 2).
 */
public final class CorruptSnapshotException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** A damaged image (not tied to a file, e.g. received from a leader). */
    public CorruptSnapshotException(String message) {
        super(message);
    }

    /** A damaged file: "corrupt snapshot file {@code file}: {@code why}". */
    public CorruptSnapshotException(Path file, String why) {
        super("corrupt snapshot file " + file + ": " + why);
    }
}
