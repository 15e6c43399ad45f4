package io.raftmq.broker.sim;

import io.raftmq.broker.lock.QueueLockSnapshotPart;
import io.raftmq.broker.replication.LogPosition;
import io.raftmq.broker.replication.LogPositionPart;
import io.raftmq.broker.retention.RetentionService;
import io.raftmq.broker.retention.RetentionSettings;
import io.raftmq.broker.sim.BrokerSimulation.Kind;
import io.raftmq.broker.snapshot.FileSnapshotStore;
import io.raftmq.broker.snapshot.SnapshotImage;
import io.raftmq.broker.snapshot.SnapshotInfo;
import io.raftmq.commitlog.dispatch.DispatchCheckpoint;
import io.raftmq.raft.core.Role;
import io.raftmq.raft.driver.FollowerProgress;
import io.raftmq.raft.statemachine.Snapshot;

import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Snapshots, snapshot install and retention in the {@link BrokerSimulation} (docs/simulation.md "Snapshots and
 * retention"; docs/snapshots.md, docs/storage.md "Retention"). On for 2 seeds in 3, drawn from a stream of its own
 * (so a seed with it off keeps its history): its members then use 64 KiB commit-log segments, keep their snapshots
 * in a real {@link FileSnapshotStore} on their simulated disk (written on the taking thread: the writer is a direct
 * executor), and run the real {@link RetentionService} over their store. A SNAPSHOT event (every 100-400 ms per
 * member) takes the state machine's snapshot as the raft agent does and offers it; a RETENTION event (every 80-250
 * ms per member) runs retention once, with every sealed segment expired and the leader not waiting for any follower
 * (as with a disk above diskMaxUsedSpaceRatio), so a member that fell behind the retained log is caught up by the
 * leader's snapshot, which {@link SimDriver} installs through the real path ({@link #install}).
 *
 * <p>Invariants: every snapshot taken or installed at an index holds the same parts as every other one at that
 * index (a reference by index, from the first seen); an installed member saves again exactly what it installed
 * (every part restored: consumer offsets, topics, timers, transactions, locks, queue counters) and its ConsumeQueues
 * end where the committed log's queues end at that index. The checkers' retained-log rules are in
 * {@link BrokerChecker} and {@link PullChecker}. Single thread.
 */
final class SimSnapshots {
    /** Commit-log segments of members with the feature on: small, so that retention deletes within a run. */
    static final long SEGMENT_BYTES = 64 * 1024;
    static final int RETAIN = 5;
    private static final RetentionSettings SETTINGS = new RetentionSettings(1, IntStream.range(0, 24).boxed()
        .collect(Collectors.toSet()), ZoneOffset.UTC, 0.75, 0.85, 0.9, 100, 2, 200);

    private final BrokerSimulation sim;
    private final SplittableRandom random;
    private final SimClock clock;
    private final boolean enabled;
    /** Per index: the snapshot's parts (name to bytes), from the first snapshot seen at that index. */
    private final Map<Long, Map<String, byte[]>> reference = new HashMap<>();
    private int taken;
    private int installs;
    private long segmentsDeleted;
    private int skippedBehindDispatch;

    SimSnapshots(BrokerSimulation sim, SplittableRandom random, SimClock clock, boolean allowed) {
        this.sim = sim;
        this.random = random;
        this.clock = clock;
        this.enabled = random.nextInt(3) != 0 && allowed;
    }

    boolean enabled() {
        return enabled;
    }

    int taken() {
        return taken;
    }

    int installs() {
        return installs;
    }

    long segmentsDeleted() {
        return segmentsDeleted;
    }

    void start() {
        if (!enabled) {
            return;
        }
        for (int i = 1; i <= sim.memberCount(); i++) {
            sim.schedule(100 + random.nextInt(300), Kind.SNAPSHOT, i, null);
            sim.schedule(80 + random.nextInt(170), Kind.RETENTION, i, null);
        }
    }

    /**
     * Opens the member's snapshot store on its disk with the floors and parts the broker registers
     * ({@code BrokerController}), and restores its state machine from the newest usable snapshot as
     * {@code RaftGroupNode.recover} does. Returns the index the state reflects (the raft node's applied index).
     */
    static long open(SimMember m) {
        m.snapshots = new FileSnapshotStore(m.root().resolve("snapshot"), m.storage, RETAIN, Runnable::run);
        m.snapshots.addFloor(m.transactions.pending()::lowestOffset);
        m.snapshots.addFloor(m.due::floor);
        m.snapshots.addBeforeWrite(m.due.index());
        m.stateMachine.addSnapshotPart(new QueueLockSnapshotPart(m.locks));
        FileSnapshotStore store = m.snapshots;
        m.log.coverDamagedReadsBySnapshot(() -> {
            SnapshotInfo point = store.compactionPoint();
            return point == null ? -1 : point.index();
        });
        long first = m.log.firstIndex();
        long last = m.log.lastIndex();
        for (SnapshotInfo info : store.newestFirst()) {
            boolean inLog = info.index() >= first - 1 && info.index() <= last;
            if (!inLog || info.index() >= first && m.log.term(info.index()) != info.term()) {
                continue;
            }
            Snapshot snap;
            try {
                snap = store.read(info).toRaftSnapshot();
            } catch (IllegalArgumentException | UncheckedIOException e) {
                continue; // a damaged one: an older one, as RaftGroupNode.recover
            }
            try {
                m.stateMachine.recover(snap);
            } catch (IllegalArgumentException e) {
                continue; // a part refuses it: an older one; an I/O error fails the start, as RaftGroupNode.recover
            }
            m.restoredMembership = snap.membership();
            return info.index();
        }
        if (first > 1) {
            // as RaftGroupNode.recover: the state of those entries is lost; an operator wipes the member
            throw new IllegalStateException("member " + m.id + ": no usable snapshot in " + m.root().resolve(
                "snapshot") + " covers the entries before the log's first index " + first);
        }
        m.stateMachine.recoverWithoutSnapshot();
        return first - 1;
    }

    /** The member's retention, over its store and snapshot store, deleting on its (simulated) agent thread. */
    RetentionService retention(SimMember m) {
        return new RetentionService(SETTINGS, clock, () -> 0.3, m.snapshots, m.store, new Side(m, m.incarnation));
    }

    /** A SNAPSHOT event: the member takes one if it applied something since its newest (as the agent's interval). */
    void onSnapshot(SimMember m) {
        sim.schedule(clock.nowMs() + 100 + random.nextInt(300), Kind.SNAPSHOT, m.id, null);
        if (m.idle()) {
            sim.driver().guard(m, () -> take(m));
        }
    }

    /** A RETENTION event: one run of the member's retention (the deletion runs once the member is idle). */
    void onRetention(SimMember m) {
        sim.schedule(clock.nowMs() + 80 + random.nextInt(170), Kind.RETENTION, m.id, null);
        if (m.up && m.retention != null && !m.paused()) {
            sim.driver().guard(m, m.retention::runOnce);
        }
    }

    private void take(SimMember m) {
        List<SnapshotInfo> have = m.snapshots.newestFirst();
        long applied = m.stateMachine.appliedIndex();
        if (applied < 1 || !have.isEmpty() && have.get(0).index() >= applied) {
            return;
        }
        if (!m.stateMachine.canSnapshot()) {
            // a restarted member replaying below its dispatch checkpoint: the agent takes no snapshot then either
            // (docs/simulation.md "Fixed: a snapshot during the replay below the dispatch checkpoint")
            skippedBehindDispatch++;
            return;
        }
        Snapshot snap = m.stateMachine.takeSnapshot();
        check(snap.index() == applied, "member " + m.id + ": snapshot index " + snap.index() + " is not the applied "
            + applied);
        compare(m, snap, "taken");
        m.snapshots.offer(snap.withMembership(m.raft.membershipAt(snap.index()).encode()));
        taken++;
    }

    /**
     * A Ready carries a leader's snapshot: installed in the raft agent's order (docs/raft-driver.md; the agent's
     * {@code ReadyProcessor}): the state machine restored, the snapshot written durably, the log (and with it the
     * store) reset after it, the proposals below it failed. Then the install invariants.
     */
    void install(SimMember m, Snapshot snap) {
        m.stateMachine.restore(snap);
        m.snapshots.install(snap);
        m.log.resetToSnapshot(snap.index(), snap.term());
        m.proposals.skipThrough(snap.index());
        installs++;
        compare(m, snap, "installed");
        Map<String, byte[]> again = SnapshotImage.decode(m.stateMachine.takeSnapshot().data(), "re-saved").parts();
        Map<String, byte[]> installed = SnapshotImage.decode(snap.data(), "installed").parts();
        for (Map.Entry<String, byte[]> e : installed.entrySet()) {
            check(same(e.getKey(), e.getValue(), again.get(e.getKey())), "member " + m.id + ": after installing the"
                + " snapshot at " + snap.index() + " its part '" + e.getKey() + "' saves other bytes than installed");
        }
        sim.checker().onInstall(m, snap.index());
    }

    /** Every snapshot at an index holds the parts of the first one seen at that index. */
    private void compare(SimMember m, Snapshot snap, String how) {
        Map<String, byte[]> parts = SnapshotImage.decode(snap.data(), how + " snapshot").parts();
        Map<String, byte[]> ref = reference.putIfAbsent(snap.index(), parts);
        if (ref == null) {
            return;
        }
        for (String name : union(ref.keySet(), parts.keySet())) {
            check(same(name, ref.get(name), parts.get(name)), "member " + m.id + ": " + how + " snapshot at "
                + snap.index() + " differs from another member's in part '" + name + "'");
        }
    }

    /**
     * The same part bytes; for the log position, the same position and queue counters, where a queue that exists
     * empty on one member (max offset 0: its ConsumeQueue was opened, nothing dispatched) counts as absent.
     */
    private static boolean same(String part, byte[] a, byte[] b) {
        if (!LogPositionPart.NAME.equals(part) || a == null || b == null) {
            return Arrays.equals(a, b);
        }
        LogPosition x = LogPosition.decode(a);
        LogPosition y = LogPosition.decode(b);
        return x.index() == y.index() && x.nextPosition() == y.nextPosition() && x.prevCrc() == y.prevCrc()
            && nonEmpty(x).equals(nonEmpty(y));
    }

    private static Set<DispatchCheckpoint.QueueMax> nonEmpty(LogPosition p) {
        return p.queues().stream().filter(q -> q.maxOffset() > 0).collect(Collectors.toSet());
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** What retention needs from the raft side, for one incarnation of a member. */
    private final class Side implements RetentionService.RaftSide {
        private final SimMember m;
        private final int incarnation;

        Side(SimMember m, int incarnation) {
            this.m = m;
            this.incarnation = incarnation;
        }

        @Override
        public boolean isLeader() {
            return m.up && m.raft.role() == Role.LEADER;
        }

        @Override
        public List<FollowerProgress> followers() {
            return List.of(); // never waited for: a follower behind the retained log is caught up by snapshot
        }

        @Override
        public long appliedIndex() {
            return m.stateMachine.appliedIndex();
        }

        /** Between two duty cycles: at once when idle, else as a task of this incarnation once it is. */
        @Override
        public void runOnAgentThread(Runnable task) {
            if (m.up && m.incarnation == incarnation && m.idle()) {
                sim.driver().guard(m, task);
            } else {
                sim.schedule(clock.nowMs() + 1, Kind.TASK, m.id, (Runnable) () -> runOnAgentThread(task),
                    incarnation);
            }
        }

        @Override
        public int compactTo(long index) {
            int n = m.log.compactTo(index);
            segmentsDeleted += n;
            return n;
        }

        @Override
        public void requestSnapshot() {
            runOnAgentThread(() -> take(m));
        }
    }
}
