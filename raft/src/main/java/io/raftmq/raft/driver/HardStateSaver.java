package io.raftmq.raft.driver;

import io.raftmq.raft.Verify;
import io.raftmq.raft.log.RaftLog;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.state.HardStateStore;

import java.util.concurrent.TimeUnit;

/**
 * When a {@link RaftAgent} saves its hard state: a new term or vote at once (durably, before any message of the
 * same Ready is sent), a change of only the commit index at most every {@code commitSaveIntervalMs} (the commit
 * index is an optimisation for restarts; a lower saved value is always safe). Under
 * {@link DurabilityMode#QUORUM_MEMORY} the log is synced before a commit index is saved, so a saved commit never
 * exceeds the durable log. Agent thread only.
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

    /** A Ready carried {@code hs}: saves it now if term or vote changed, else remembers the new commit index. */
    void onHardState(HardState hs, long nowNs) {
        boolean voteChanged = hs.term() != saved.term() || hs.votedFor() != saved.votedFor();
        if (voteChanged) {
            save(hs, nowNs);
        } else if (hs.commitIndex() != saved.commitIndex()) {
            unsavedCommit = hs;
        }
    }

    /** Saves a remembered commit index once the save interval has passed. */
    void maybeSaveCommit(long nowNs) {
        if (unsavedCommit != null && nowNs - lastSaveNs >= commitSaveIntervalNs) {
            save(unsavedCommit, nowNs);
        }
    }

    /** Saves a remembered commit index now, if any (a clean stop). */
    void saveUnsavedCommit(long nowNs) {
        if (unsavedCommit != null) {
            save(unsavedCommit, nowNs);
        }
    }

    private void save(HardState hs, long nowNs) {
        if (durability == DurabilityMode.QUORUM_MEMORY && hs.commitIndex() > 0) {
            log.sync(); // a saved commit index must never exceed the durable log
        }
        Verify.state(hs.term() >= saved.term(), "hard state term went back", saved.term(), hs.term());
        store.save(hs);
        saved = hs;
        unsavedCommit = null;
        lastSaveNs = nowNs;
    }
}
