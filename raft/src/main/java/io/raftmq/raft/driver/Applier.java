package io.raftmq.raft.driver;

import io.raftmq.raft.Verify;
import io.raftmq.raft.core.RaftNode;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.statemachine.StateMachine;
import org.slf4j.Logger;

import java.util.ArrayDeque;
import java.util.List;

/**
 * A {@link RaftAgent}'s apply slicing (docs/raft-driver.md, "Apply slicing"): the committed entries a Ready handed
 * out wait in a queue, and each duty cycle applies from it for at most {@code applySliceNs} (at least one entry, an
 * entry is never split), completing the proposals they answer. The queue holds at most one Ready's batch: the
 * agent asks the core for new committed entries only when it is empty ({@link #idle}).
 *
 * <p>Invariant: the queue holds {@code [appliedIndex + 1, ...]} contiguously. Agent thread only.
 */
final class Applier {
    private final long nodeId;
    private final StateMachine stateMachine;
    private final PendingProposals pending;
    private final NanoClock clock;
    private final long applySliceNs;
    private final ApplyStats stats;
    /** Committed entries handed out by the core and not yet applied, in index order. */
    private final ArrayDeque<Entry> toApply = new ArrayDeque<>();
    /** Last index the state machine reflects (the core's applied index may be one batch ahead). */
    private long appliedIndex;
    /** Term of the entry at appliedIndex (0 until the first apply or restore after start). */
    private long appliedTerm;

    Applier(long nodeId, StateMachine stateMachine, PendingProposals pending, NanoClock clock, long applySliceNs,
            long appliedIndex, Logger log) {
        this.nodeId = nodeId;
        this.stateMachine = stateMachine;
        this.pending = pending;
        this.clock = clock;
        this.applySliceNs = applySliceNs;
        this.appliedIndex = appliedIndex;
        this.stats = new ApplyStats(log);
    }

    /** Whether nothing waits to be applied. */
    boolean idle() {
        return toApply.isEmpty();
    }

    long appliedIndex() {
        return appliedIndex;
    }

    /** Term of the last entry applied (or of the snapshot restored); 0 before either since start. */
    long appliedTerm() {
        return appliedTerm;
    }

    /** Queues a Ready's committed entries; they must follow the queued ones (or the applied index). */
    void queue(List<Entry> committed) {
        if (committed.isEmpty()) {
            return;
        }
        long first = committed.get(0).index();
        long expected = (toApply.isEmpty() ? appliedIndex : toApply.peekLast().index()) + 1;
        Verify.state(first == expected, "committed entries must follow the queued ones", first, expected);
        toApply.addAll(committed);
    }

    /** A snapshot replaced the whole state: the queue (all below it) is dropped. */
    void restored(long snapshotIndex, long snapshotTerm) {
        toApply.clear();
        appliedIndex = snapshotIndex;
        appliedTerm = snapshotTerm;
    }

    /**
     * Applies queued entries for at most {@code applySliceNs} (at least one entry) and returns how many. The clock
     * is read once per entry: an entry is never split, so a slice overruns by at most one entry.
     */
    int slice(RaftNode node) {
        if (toApply.isEmpty()) {
            return 0;
        }
        long start = clock.nanoTime();
        long elapsed;
        int n = 0;
        do {
            Entry e = toApply.poll();
            Verify.state(e.index() == appliedIndex + 1, "entries must be applied contiguously", e.index(),
                appliedIndex);
            stateMachine.apply(e);
            appliedIndex = e.index();
            appliedTerm = e.term();
            pending.applied(e, node.leaderId());
            n++;
            elapsed = clock.nanoTime() - start;
        } while (!toApply.isEmpty() && elapsed < applySliceNs);
        stats.slice(nodeId, start, n, elapsed, toApply.isEmpty(), node.commitIndex() - appliedIndex);
        return n;
    }

    /** Applies the whole queue (graceful stop: proposals already committed are answered, not failed). */
    void all(RaftNode node) {
        while (!toApply.isEmpty()) {
            slice(node);
        }
    }
}
