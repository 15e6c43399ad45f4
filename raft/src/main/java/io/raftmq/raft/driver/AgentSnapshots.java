package io.raftmq.raft.driver;

import io.raftmq.raft.Verify;
import io.raftmq.raft.statemachine.Snapshot;
import io.raftmq.raft.statemachine.SnapshotStore;
import io.raftmq.raft.statemachine.StateMachine;
import org.slf4j.Logger;

import java.util.function.LongFunction;

/**
 * A {@link RaftAgent}'s snapshots (docs/snapshots.md): without a {@link SnapshotStore} a leader sends the state
 * machine's snapshot of the moment; with one, a snapshot is taken every {@code snapshotIntervalEntries} applied
 * entries (or when asked) and offered to the store, with the membership as of its index, and a leader sends the
 * store's latest. Agent thread, except {@link #taken()} and {@link #installs()} (racy).
 */
final class AgentSnapshots {
    private final long nodeId;
    private final StateMachine stateMachine;
    /** The encoded membership in effect at an index (the state machine does not know it). */
    private final LongFunction<byte[]> membershipAt;
    private final NanoClock clock;
    private final long intervalEntries;
    private final Logger log;
    /** Where snapshots are kept (null: none, the state machine's snapshot is sent); set before start. */
    private SnapshotStore store;
    /** Applied index of the last snapshot taken or installed. */
    private long lastIndex;
    private long taken;
    /** Snapshots installed (written by the agent thread only; volatile for readers elsewhere). */
    private volatile long installs;
    /** A snapshot was asked for; taken after the next apply slice. */
    private boolean requested;

    AgentSnapshots(long nodeId, StateMachine stateMachine, LongFunction<byte[]> membershipAt, NanoClock clock,
                   long intervalEntries, long appliedIndex, Logger log) {
        this.nodeId = nodeId;
        this.stateMachine = stateMachine;
        this.membershipAt = membershipAt;
        this.clock = clock;
        this.intervalEntries = intervalEntries;
        this.lastIndex = appliedIndex;
        this.log = log;
    }

    void useStore(SnapshotStore s) {
        this.store = s;
    }

    /** The store, or null. */
    SnapshotStore store() {
        return store;
    }

    /** The snapshot a leader sends: the store's latest, else the state machine's with its membership. */
    Snapshot toSend() {
        SnapshotStore s = store;
        if (s != null) {
            return s.latest();
        }
        if (!stateMachine.canSnapshot()) {
            return null;
        }
        Snapshot snap = stateMachine.takeSnapshot();
        if (snap == null || snap.membership().length > 0) {
            return snap;
        }
        return snap.withMembership(membershipAt.apply(snap.index()));
    }

    /** Asks for a snapshot after the next apply slice, whatever the interval. */
    void request() {
        requested = true;
    }

    /** A snapshot at {@code index} was installed: the interval counts from there. */
    void installed(long index) {
        lastIndex = index;
        installs++;
    }

    /** Snapshots installed from a leader so far. Any thread, racy. */
    long installs() {
        return installs;
    }

    /** Takes a snapshot once the interval's entries were applied since the last one, or one was asked for. */
    void maybeTake(long appliedIndex) {
        SnapshotStore s = store;
        long since = appliedIndex - lastIndex;
        boolean asked = requested;
        if (s == null || since < intervalEntries && !(asked && since > 0)) {
            requested = false;
            return;
        }
        if (!stateMachine.canSnapshot()) {
            return; // not now (StateMachine#canSnapshot): the interval or the request holds for the next slice
        }
        requested = false;
        long start = clock.nanoTime();
        Snapshot snap = stateMachine.takeSnapshot();
        Verify.state(snap.index() == appliedIndex, "snapshot index differs from the applied index", snap.index(),
            appliedIndex);
        s.offer(snap.withMembership(membershipAt.apply(snap.index())));
        lastIndex = snap.index();
        taken++;
        log.info("raft node {}: snapshot at index {} taken in {} us ({} bytes)", nodeId, snap.index(),
            (clock.nanoTime() - start) / 1000, snap.data().length);
    }

    /** Snapshots taken so far. Any thread, racy. */
    long taken() {
        return taken;
    }
}
