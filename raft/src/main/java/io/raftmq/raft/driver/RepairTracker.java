package io.raftmq.raft.driver;

import io.raftmq.raft.core.RaftNode;
import io.raftmq.raft.log.RaftLog;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.state.RepairState;
import io.raftmq.raft.state.RepairStateStore;
import org.slf4j.Logger;

/**
 * The agent's part of repair mode (docs/raft-driver.md, "Repair"): at start it reads the member's durable
 * {@link RepairState}, adds (and saves first) a loss the log itself shows (it ends before the saved commit index),
 * gives the core the hard state to start from and puts it into repair mode; after each processed Ready it notices the
 * core left repair mode and makes that durable (log synced, state cleared). Agent thread; {@link #repairing()} from
 * any thread.
 */
final class RepairTracker {
    private final RepairStateStore store;
    private final RepairState atStart;
    private final Logger log;
    private volatile boolean repairing;

    /** Reads (and completes) the repair state of a member that saved {@code saved} and recovered {@code raftLog}. */
    RepairTracker(RepairStateStore store, HardState saved, RaftLog raftLog, Logger log) {
        this.store = store;
        this.log = log;
        RepairState stored = store.load();
        RepairState detected = RepairState.detect(saved, raftLog.lastIndex());
        if (detected != null) {
            stored = detected.merge(stored);
            store.save(stored);
        }
        this.atStart = stored;
    }

    /** The hard state the core starts from: {@code saved}, adjusted when the member lost data. */
    HardState startingHardState(HardState saved, RaftLog raftLog) {
        if (atStart == null) {
            return saved;
        }
        long last = raftLog.lastIndex();
        long lastTerm = last >= raftLog.firstIndex() ? raftLog.term(last) : 0;
        return RepairState.startingHardState(saved, last, lastTerm);
    }

    /** Puts a freshly built core into repair mode if the member lost data; {@code saved} as loaded from disk. */
    void start(RaftNode node, HardState saved) {
        if (atStart == null) {
            return;
        }
        if (atStart.reason() == RepairState.Reason.STATE_MISSING && saved.term() == 0) {
            node.startRepairWithUnknownTerm(atStart.ackedIndexMin()); // term and vote lost: learn the term first
        } else {
            node.startRepair(atStart.ackedIndexMin());
        }
        repairing = true;
        log.warn("raft node {} lost data ({}): repairing, no votes until its log holds a current leader's committed"
            + " prefix and index {}; first lost index {}", node.id(), atStart.reason(), atStart.ackedIndexMin(),
            atStart.firstLostIndex());
    }

    /** After a processed Ready: once the core left repair mode, sync the log and clear the durable state. */
    void afterReady(RaftNode node, RaftLog raftLog) {
        if (!repairing || node.repairing()) {
            return;
        }
        raftLog.sync();
        store.clear();
        repairing = false;
        log.info("raft node {} repaired: its log holds the committed prefix of leader {} in term {} (commit {})",
            node.id(), node.leaderId(), node.term(), node.commitIndex());
    }

    boolean repairing() {
        return repairing;
    }
}
