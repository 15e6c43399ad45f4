package io.raftmq.raft.sim;

import io.raftmq.raft.core.RaftNode;
import io.raftmq.raft.core.Ready;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.state.MemoryHardStateStore;

import java.util.ArrayDeque;

/**
 * One simulated server: its disk (a {@link MemoryRaftLog} and a hard state store, both losing unsynced writes on
 * a crash), its application, and the process state the driver has (running or crashed, paused, the Ready being
 * persisted, the input queued meanwhile).
 */
final class SimNode {
    static final int INBOX_MAX = 4096;

    final long id;
    final MemoryRaftLog log = new MemoryRaftLog();
    final MemoryHardStateStore hardStateStore = new MemoryHardStateStore();
    SimStateMachine stateMachine = new SimStateMachine(null);
    RaftNode raft;
    boolean up = true;
    /** Bumped on every crash: events of an earlier incarnation are void. */
    int incarnation;
    long pausedUntil;
    /** The Ready being persisted (fsync in flight), null when idle. */
    Ready pending;
    final ArrayDeque<RaftMessage> inbox = new ArrayDeque<>();
    int pendingTicks;
    long lastCommit;
    /** Highest term in which the checker saw this node lead. */
    long leaderTermSeen;
    long lastSnapshotIndex;
    /** The driver's log syncer: generation and last entry of the newest write, of the newest finished sync. */
    long writeGeneration;
    long writeIndex;
    long writeTerm;
    long syncedGeneration;
    long syncedIndex;
    long syncedTerm;
    /** Newest sync generation handed to the core. */
    long reportedGeneration;
    boolean syncInFlight;

    SimNode(long id) {
        this.id = id;
    }

    /** A (re)started process: its syncer starts empty (what it synced before is on disk already). */
    void resetSyncState() {
        writeGeneration = 0;
        syncedGeneration = 0;
        reportedGeneration = 0;
        syncInFlight = false;
    }

    void written(long index, long term) {
        writeGeneration++;
        writeIndex = index;
        writeTerm = term;
    }

    void synced(long generation, long index, long term) {
        syncedGeneration = generation;
        syncedIndex = index;
        syncedTerm = term;
    }

    boolean paused(long now) {
        return now < pausedUntil;
    }

    /** Accepts input right now (running, not paused, no Ready in flight). */
    boolean idle(long now) {
        return up && !paused(now) && pending == null;
    }
}
