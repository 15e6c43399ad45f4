package io.raftmq.raft.driver;

import io.raftmq.raft.Verify;
import io.raftmq.raft.log.RaftLog;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.state.HardStateStore;

import java.util.concurrent.TimeUnit;

/**
 * When a {@link RaftAgent} saves its hard state: a new term or vote at once (durably, before any message of the
 * same Ready is sent), a change of only the commit index at most every {@code commitSaveIntervalMs} (the commit
 * index is an optimisation for restarts; a lower saved value is always safe). A saved commit index never exceeds
 * the durable log, or a restart would take the shorter log for lost data: under {@link DurabilityMode#QUORUM_FSYNC}
 * it is clipped to the durable index the caller passes (the log syncer's last report; the rest is saved later),
 * under {@link DurabilityMode#QUORUM_MEMORY} the log is synced before it is saved. Agent thread only.
 */
final class HardStateSaver {
    private final HardStateStore store;
    private final RaftLog log;
    private final DurabilityMode durability;
    private final long commitSaveIntervalNs;
    private HardState saved;
    private HardState unsavedCommit;
    private long lastSaveNs;

    /** Loads the stored hard state; {@code nowNs} counts as the last save. */
    HardStateSaver(HardStateStore store, RaftLog log, DurabilityMode durability, long commitSaveIntervalMs,
                   long nowNs) {
        this.store = store;
        this.log = log;
        this.durability = durability;
        this.commitSaveIntervalNs = TimeUnit.MILLISECONDS.toNanos(commitSaveIntervalMs);
        this.saved = store.load();
        this.lastSaveNs = nowNs;
    }

    /** The last saved (or loaded) hard state. */
    HardState saved() {
        return saved;
    }

    /**
     * A Ready carried {@code hs}: saves it now if term or vote changed, else remembers the new commit index.
     * {@code durableIndex}: the log's durable last index (what the commit index saved is clipped to).
     */
    void onHardState(HardState hs, long nowNs, long durableIndex) {
        boolean voteChanged = hs.term() != saved.term() || hs.votedFor() != saved.votedFor();
        if (voteChanged) {
            save(hs, nowNs, durableIndex);
        } else if (hs.commitIndex() != saved.commitIndex()) {
            unsavedCommit = hs;
        }
    }

    /** Saves a remembered commit index once the save interval has passed and the log holds some of it durably. */
    void maybeSaveCommit(long nowNs, long durableIndex) {
        if (unsavedCommit != null && nowNs - lastSaveNs >= commitSaveIntervalNs
            && clip(unsavedCommit.commitIndex(), durableIndex) > saved.commitIndex()) {
            save(unsavedCommit, nowNs, durableIndex);
        }
    }

    /** Saves a remembered commit index now, if any (a clean stop). */
    void saveUnsavedCommit(long nowNs, long durableIndex) {
        if (unsavedCommit != null) {
            save(unsavedCommit, nowNs, durableIndex);
        }
    }

    private long clip(long commit, long durableIndex) {
        return durability == DurabilityMode.QUORUM_FSYNC ? Math.min(commit, durableIndex) : commit;
    }

    private void save(HardState hs, long nowNs, long durableIndex) {
        if (durability == DurabilityMode.QUORUM_MEMORY && hs.commitIndex() > 0) {
            log.sync(); // a saved commit index must never exceed the durable log
        }
        long commit = Math.max(Math.min(clip(hs.commitIndex(), durableIndex), hs.commitIndex()),
            Math.min(saved.commitIndex(), hs.commitIndex()));
        HardState toSave = commit == hs.commitIndex() ? hs : new HardState(hs.term(), hs.votedFor(), commit);
        Verify.state(toSave.term() >= saved.term(), "hard state term went back", saved.term(), toSave.term());
        store.save(toSave);
        saved = toSave;
        unsavedCommit = commit == hs.commitIndex() ? null : hs; // the rest once the log is durable that far
        lastSaveNs = nowNs;
    }
}
