package io.raftmq.broker.replication;

import io.raftmq.broker.snapshot.SnapshotPart;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.store.MessageStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongSupplier;

/**
 * The "log-position" snapshot part (docs/snapshots.md rule 4): saves the store's {@link LogPosition} at the last
 * applied entry. Restoring at start ({@link RestoreMode#START}) changes nothing: the log after the snapshot is intact
 * on disk. Restoring a leader's snapshot ({@link RestoreMode#INSTALL}) keeps the position until
 * {@link CommitLogRaftLog#resetToSnapshot}, which runs right after the state machine's restore, takes it and
 * restarts the store there.
 *
 * <p>Threads: the raft agent thread only (like every part). Errors: {@link #load} throws
 * {@link IllegalArgumentException} for bytes {@link LogPosition#decode} refuses.
 */
public final class LogPositionPart implements SnapshotPart {
    public static final String NAME = "log-position";
    private static final Logger LOG = LoggerFactory.getLogger(LogPositionPart.class);

    private final MessageStore store;
    private final LongSupplier appliedIndex;
    /** A leader's position loaded by an install, until the log reset takes it; else null. */
    private LogPosition pending;
    /** Run once an install's log reset restarted the store (the state machine tells its dispatch listeners). */
    private Runnable afterReset = () -> { };
    /** The position of the snapshot loaded at start ({@link RestoreMode#START}), until taken. */
    private LogPosition started;

    /**
     * @param appliedIndex the state machine's last applied index (what {@link #save} describes)
     */
    public LogPositionPart(MessageStore store, LongSupplier appliedIndex) {
        this.store = store;
        this.appliedIndex = appliedIndex;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] save() {
        return LogPosition.capture(store, appliedIndex.getAsLong()).encode();
    }

    @Override
    public void load(byte[] data, RestoreMode mode) {
        LogPosition p = LogPosition.decode(data);
        if (mode == RestoreMode.START) {
            started = p;
        }
        if (mode == RestoreMode.INSTALL) {
            pending = p;
            LOG.info("install: the log restarts after entry {} at position {} ({} queues)", p.index(),
                p.nextPosition(), p.queues().size());
        }
    }

    @Override
    public void loadAbsent(RestoreMode mode) {
        if (mode == RestoreMode.START) {
            started = null;
        }
        if (mode == RestoreMode.INSTALL) {
            pending = null;
            LOG.warn("install: the snapshot has no log position; the log restarts at this member's own end");
        }
    }

    /**
     * The position of the snapshot this member recovered from at start, handed over once (then forgotten); null
     * when it carried none.
     */
    LogPosition takeStarted() {
        LogPosition p = started;
        started = null;
        return p;
    }

    /** Sets what runs once an install's log reset restarted the store ({@link #reset}); before the agent starts. */
    void onReset(Runnable r) {
        afterReset = r;
    }

    /** {@link CommitLogRaftLog#resetToSnapshot} restarted the store at an installed snapshot's position. */
    void reset() {
        afterReset.run();
    }

    /**
     * The position an install loaded for the snapshot at {@code index}, handed over once (then forgotten); null
     * when the install carried none.
     *
     * @throws IllegalStateException a position for another index is pending (restore and reset disagree)
     */
    LogPosition takePending(long index) {
        LogPosition p = pending;
        pending = null;
        Verify.state(p == null || p.index() == index, "pending log position is for another snapshot",
            p == null ? -1 : p.index(), index);
        return p;
    }
}
