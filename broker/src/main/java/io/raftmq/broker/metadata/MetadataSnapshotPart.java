package io.raftmq.broker.metadata;

import io.raftmq.broker.entry.EntryFormatException;
import io.raftmq.broker.snapshot.SnapshotPart;

/**
 * The snapshot part "metadata": topics, subscription groups and consumer offsets, as the image of
 * {@link MetadataStateMachine#snapshot} (its byte layout is drawn there: magic, version, the last applied metadata
 * index, the three sections, CRC32C). Both restore modes load the image alike; an absent part, or a start without
 * any snapshot, restores the image the state machine had when this part was made (before anything was applied:
 * the built-in topics only).
 *
 * <p>Threads: the raft agent thread (as every part).
 */
public final class MetadataSnapshotPart implements SnapshotPart {
    public static final String NAME = "metadata";

    private final MetadataStateMachine metadata;
    private final byte[] initial;

    /** Made before anything is applied to {@code metadata}: its state now is a new group's. */
    public MetadataSnapshotPart(MetadataStateMachine metadata) {
        this.metadata = metadata;
        this.initial = metadata.snapshot();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] save() {
        return metadata.snapshot();
    }

    @Override
    public void load(byte[] data, RestoreMode mode) {
        try {
            metadata.restore(data);
        } catch (EntryFormatException e) {
            throw new IllegalArgumentException("snapshot part " + NAME + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void loadAbsent(RestoreMode mode) {
        metadata.restore(initial);
    }
}
