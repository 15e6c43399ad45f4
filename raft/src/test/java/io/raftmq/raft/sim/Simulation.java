package io.raftmq.raft.sim;

import io.raftmq.raft.core.ProposeResult;
import io.raftmq.raft.core.RaftConfig;
import io.raftmq.raft.core.RaftNode;
import io.raftmq.raft.core.Ready;
import io.raftmq.raft.core.Role;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.core.membership.MembershipChange;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.message.AppendEntriesResponse;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.state.RepairState;
import io.raftmq.raft.statemachine.Snapshot;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A deterministic simulation of a Raft cluster on one thread: real {@link RaftNode}s driven per the Ready
 * contract, a lossy network (drop, duplicate, delay and so reorder, partitions: halves, isolated leader, bridge),
 * disks that lose unsynced writes on crash, long pauses, leadership transfers, log compaction with snapshots and
 * membership changes (add a learner, promote it, remove a learner or a voter, the leader included:
 * {@link MembershipFaults}, checked by {@link MembershipChecker}).
 * Everything derives from one seed. A run has a safety phase with faults, then heals every fault and requires
 * liveness: within {@link #LIVENESS_TICKS} ticks every accepted proposal is resolved and a new one commits on
 * every node. {@link SafetyChecker} runs after every event.
 */
final class Simulation {
    static final int SAFETY_TICKS = 300;
    static final int LIVENESS_TICKS = 300;
    /** Bound for every node, however far behind, to apply the probe (catch-up is paced by the batch limits). */
    static final int CATCH_UP_TICKS = 1500;
    private static final int TRACE_MAX = Integer.getInteger("sim.trace", 80);
    private static final int APP_TYPE = Entry.TYPE_APPLICATION_MIN;

    private enum Kind { TICK, DELIVER, FSYNC_DONE, LOG_SYNCED, CRASH, RESTART, PARTITION, HEAL_PARTITION, PAUSE,
        UNPAUSE, PROPOSE, TRANSFER, MEMBERSHIP, UNREACHABLE }

    private record Event(long time, long seq, Kind kind, int node, Object payload, int incarnation) {
    }

    private final long seed;
    private final SplittableRandom random;
    private final Swarm swarm;
    private final SimNode[] nodes;
    private final MembershipFaults membership;
    private final MembershipChecker membershipChecker = new MembershipChecker();
    private final boolean[][] cut;
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) ->
        a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final SafetyChecker checker = new SafetyChecker();
    private final DataLossFault dataLoss;
    private final ProposalTracker proposals = new ProposalTracker();
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private long now;
    private long seq;
    private long nextProposalId = 1;
    private long events;
    private boolean healed;
    private long healTime;
    private long resolvedAt = -1;
    private ProposalTracker.Accepted probe;
    private boolean probeCommitted;
    private boolean partitioned;
    private int snapshotsInstalled;
    private int crashes;
    /** Longest log sync, in units (slow-sync runs raise it; the swarm's fsync bound otherwise). */
    private final int logSyncMaxUnits;
    /** Log writes that replaced entries (truncations) while a log sync was in flight: the reordering under test. */
    private int truncationsDuringSync;
    /** Whether a crash makes the others hear "peer unreachable" (a refused connection), as the driver does. */
    private boolean unreachableHints;
    /** Delays of those hints: a stream of their own, so the rest of a seed's schedule draws what it drew before. */
    private SplittableRandom hintRandom;

    Simulation(long seed) {
        this(seed, true, false);
    }

    /** With {@code membershipAllowed} false, membership changes stay off whatever the seed draws. */
    Simulation(long seed, boolean membershipAllowed) {
        this(seed, membershipAllowed, false);
    }

    /**
     * As above; with {@code dataLoss}, restarting nodes may also lose part or all of their disk
     * ({@link DataLossFault}); data loss runs with membership changes off (its budget of damaged nodes is the
     * initial group's).
     */
    Simulation(long seed, boolean membershipAllowed, boolean dataLoss) {
        this(seed, membershipAllowed, dataLoss, 0);
    }

    /**
     * This run with crash hints: after a crash every other running node is told, 1-40 units later, that the crashed
     * node is unreachable ({@code RaftNode#peerUnreachable}), the hint the transport gives when a peer's port
     * refuses connections; and every node that (re)starts gets the driver's start hint ({@code
     * RaftNode#campaignSoon}). Call before {@link #run}.
     */
    Simulation withUnreachableHints() {
        unreachableHints = true;
        hintRandom = new SplittableRandom(seed ^ 0x48494E54L);
        return this;
    }

    /**
     * As above; {@code logSyncMaxUnits > 0} makes log syncs take up to that long (slow disks: many writes and
     * truncations land while one sync is in flight), 0 keeps the swarm's fsync bound.
     */
    Simulation(long seed, boolean membershipAllowed, boolean dataLoss, int logSyncMaxUnits) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        Swarm drawn = Swarm.draw(random, new SplittableRandom(seed ^ 0x5DEECE66DL));
        this.swarm = membershipAllowed && !dataLoss ? drawn : drawn.withoutMembership();
        int initialNodes = swarm.nodes();
        int n = initialNodes + (swarm.membership() ? MembershipFaults.SPARE_NODES : 0);
        this.nodes = new SimNode[n + 1];
        long[] ids = new long[initialNodes];
        for (int i = 1; i <= n; i++) {
            nodes[i] = new SimNode(i);
            if (i <= initialNodes) {
                ids[i - 1] = i;
            } else {
                nodes[i].up = false; // joins when a leader adds it as a learner
            }
        }
        this.membership = new MembershipFaults(Membership.ofVoters(ids), initialNodes);
        this.cut = new boolean[n + 1][n + 1];
        this.dataLoss = new DataLossFault(seed, n, MajorityConfig.of(ids), dataLoss);
        this.logSyncMaxUnits = logSyncMaxUnits > 0 ? logSyncMaxUnits : swarm.fsyncMaxUnits();
    }

    /** Result of a successful run, for reporting. */
    record Outcome(long seed, Swarm swarm, long events, int committed, int failed, long livenessTicks,
                   long catchUpTicks, int snapshotsInstalled, int crashes, long maxTerm, int membershipChanges,
                   int truncationsDuringSync) {
    }

    Outcome run() {
        try {
            return runUnchecked();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(failureReport(e.toString()), e);
        }
    }

    private Outcome runUnchecked() {
        for (int i = 1; i <= swarm.nodes(); i++) {
            start(nodes[i]);
            schedule(1 + random.nextInt(Swarm.TICK_UNITS), Kind.TICK, i, null);
        }
        schedule(1 + random.nextInt(swarm.proposeGapMaxUnits()), Kind.PROPOSE, 0, null);
        scheduleFaults();
        long safetyEnd = (long) SAFETY_TICKS * Swarm.TICK_UNITS;
        while (!queue.isEmpty()) {
            Event ev = queue.poll();
            if (!healed && ev.time >= safetyEnd) {
                now = safetyEnd;
                healAll();
            }
            now = ev.time;
            if (healed && resolvedAt < 0 && now - healTime > (long) LIVENESS_TICKS * Swarm.TICK_UNITS) {
                throw new AssertionError("liveness: proposals not resolved " + LIVENESS_TICKS + " ticks after healing ("
                    + proposals.unresolvedCount() + " proposals unresolved, probe=" + probe + ", committed="
                    + probeCommitted + ", leaders=" + describeLeaders() + ")");
            }
            if (healed && now - healTime > (long) CATCH_UP_TICKS * Swarm.TICK_UNITS) {
                throw new AssertionError("liveness: nodes not caught up " + CATCH_UP_TICKS + " ticks after healing ("
                    + describeLeaders() + ", probe=" + probe + ")");
            }
            events++;
            remember(ev);
            handle(ev);
            checkAfterEvent();
            if (healed && resolvedAt < 0 && resolved()) {
                resolvedAt = now;
            }
            if (healed && resolvedAt >= 0 && caughtUp()) {
                long maxTerm = 0;
                for (int i = 1; i < nodes.length; i++) {
                    maxTerm = Math.max(maxTerm, nodes[i].raft == null ? 0 : nodes[i].raft.term());
                }
                return new Outcome(seed, swarm, events, proposals.committedCount(), proposals.failedCount(),
                    (resolvedAt - healTime) / Swarm.TICK_UNITS, (now - healTime) / Swarm.TICK_UNITS,
                    snapshotsInstalled, crashes, maxTerm, membership.acceptedCount(), truncationsDuringSync);
            }
        }
        throw new AssertionError("event queue ran dry");
    }

    // ---- node lifecycle and the driver loop ----

    private void start(SimNode n) {
        RepairState repair = dataLoss.onRestart(n, healed);
        Snapshot durable = n.stateMachine.durableSnapshot();
        n.stateMachine = new SimStateMachine(durable);
        HardState hs = n.hardStateStore.load();
        if (repair != null) {
            hs = RepairState.startingHardState(hs, n.log.lastIndex(), n.log.term(n.log.lastIndex()));
        }
        long applied = durable == null ? 0 : durable.index();
        SplittableRandom nodeRandom = random.split();
        RaftConfig config = new RaftConfig(n.id, 10, 2, swarm.inflightAppendsMax(), 512,
            swarm.batchEntriesMax(), 32, swarm.checkQuorum(), swarm.preVote());
        SimStateMachine sm = n.stateMachine;
        n.raft = new RaftNode(config, membership.recover(n.log, durable), n.log, hs, applied, nodeRandom::nextInt,
            sm::durableSnapshot);
        if (repair != null && repair.reason() == RepairState.Reason.STATE_MISSING
            && n.hardStateStore.load().term() == 0) {
            n.raft.startRepairWithUnknownTerm(repair.ackedIndexMin());
        } else if (repair != null) {
            n.raft.startRepair(repair.ackedIndexMin());
        }
        if (unreachableHints) {
            n.raft.campaignSoon(); // the driver's start hint, as RaftAgent gives it
        }
        n.up = true;
        n.lastCommit = n.raft.commitIndex();
        n.resetSyncState();
        pump(n);
    }

    private void pump(SimNode n) {
        if (n.idle(now) && n.raft.hasReady()) {
            startReady(n);
        }
    }

    /**
     * Ready steps 1-4 at once (early messages, snapshot, hard state, write); the log sync runs apart
     * ({@link #startLogSync}); a new term or vote (or a snapshot) keeps the node busy for a seeded fsync delay
     * before the rest.
     */
    private void startReady(SimNode n) {
        Ready r = n.raft.ready();
        n.pending = r;
        sendFrom(n, r.earlyMessages());
        if (r.snapshot() != null) {
            Snapshot s = r.snapshot();
            checker.onSnapshot(n.id, s);
            snapshotsInstalled++;
            n.stateMachine.restore(s);
            n.log.resetToSnapshot(s.index(), s.term());
        }
        HardState saved = n.hardStateStore.load();
        boolean voteChanged = r.hardState() != null && (r.hardState().term() != saved.term()
            || r.hardState().votedFor() != saved.votedFor());
        if (r.hardState() != null) {
            // saved before the write, as the agent does (the log sync may make the entries durable at once); the
            // commit index saved never exceeds the durable log (the agent's HardStateSaver)
            HardState hs = r.hardState();
            n.hardStateStore.save(new HardState(hs.term(), hs.votedFor(), Math.min(hs.commitIndex(),
                Math.max(n.raft.durableIndex(), saved.commitIndex()))));
        }
        if (!r.entries().isEmpty()) {
            long first = r.entries().get(0).index();
            if (first <= n.log.lastIndex()) {
                checker.beforeTruncate(n.id, n.log, r.entries());
                truncationsDuringSync += n.syncInFlight ? 1 : 0;
            }
            n.log.write(r.entries());
            checker.afterWrite(n.id, n.log, first);
            Entry last = r.entries().get(r.entries().size() - 1);
            n.written(last.index(), last.term());
            startLogSync(n);
        }
        if (r.snapshot() != null || !r.entries().isEmpty()) {
            membershipChecker.afterWrite(n.id, n.raft, n.log);
        }
        long delay = voteChanged || r.snapshot() != null ? 1 + random.nextInt(swarm.fsyncMaxUnits()) : 0;
        schedule(now + delay, Kind.FSYNC_DONE, (int) n.id, r, n.incarnation);
    }

    /**
     * Starts a log sync if writes are not covered and none is in flight. The disk makes the writes so far durable at
     * once (a crash after this keeps them), but the driver learns it only when {@link Kind#LOG_SYNCED} arrives, a
     * seeded delay later: writes made meanwhile are not covered, as with a real fsync that started before them.
     */
    private void startLogSync(SimNode n) {
        if (n.syncInFlight || n.writeGeneration <= n.syncedGeneration) {
            return;
        }
        n.log.sync();
        n.syncInFlight = true;
        long[] mark = {n.writeGeneration, n.writeIndex, n.writeTerm};
        schedule(now + 1 + random.nextInt(logSyncMaxUnits), Kind.LOG_SYNCED, (int) n.id, mark, n.incarnation);
    }

    private void logSynced(SimNode n, Event ev) {
        if (ev.incarnation != n.incarnation || !n.up) {
            return;
        }
        if (n.paused(now)) { // the whole process stalls, its syncer thread too
            schedule(n.pausedUntil, Kind.LOG_SYNCED, (int) n.id, ev.payload, ev.incarnation);
            return;
        }
        long[] mark = (long[]) ev.payload;
        n.syncInFlight = false;
        n.synced(mark[0], mark[1], mark[2]);
        startLogSync(n);
        if (n.idle(now)) {
            reportDurable(n);
            pump(n);
        }
    }

    /** Hands the newest finished log sync to the core (an input: only while no Ready is outstanding). */
    private void reportDurable(SimNode n) {
        if (n.syncedGeneration > n.reportedGeneration) {
            n.reportedGeneration = n.syncedGeneration;
            n.raft.persisted(n.syncedIndex, n.syncedTerm);
        }
    }

    private void fsyncDone(SimNode n, Event ev) {
        if (ev.incarnation != n.incarnation || !n.up || n.pending != ev.payload) {
            return;
        }
        if (n.paused(now)) {
            schedule(n.pausedUntil, Kind.FSYNC_DONE, (int) n.id, ev.payload, ev.incarnation);
            return;
        }
        Ready r = n.pending;
        sendFrom(n, r.messages()); // the hard state's fsync (saved in startReady) is done
        for (Entry e : r.committedEntries()) {
            checker.onApply(n.id, e, n.stateMachine.appliedIndex() + 1);
            n.stateMachine.apply(e);
        }
        n.raft.advance(r);
        n.pending = null;
        dataLoss.afterReady(n);
        maybeSnapshot(n);
        drain(n);
    }

    private void maybeSnapshot(SimNode n) {
        long applied = n.stateMachine.appliedIndex();
        if (swarm.snapshotEvery() == 0 || applied - n.lastSnapshotIndex < swarm.snapshotEvery()) {
            return;
        }
        Snapshot s = n.stateMachine.takeSnapshot(n.raft.membershipAt(applied).encode());
        checker.onSnapshot(n.id, s);
        n.lastSnapshotIndex = s.index();
        long through = Math.max(n.log.firstIndex() - 1, s.index() - random.nextInt(4));
        through = Math.min(through, n.raft.durableIndex()); // only what is on disk is compacted (MemoryRaftLog)
        if (through >= n.log.firstIndex()) {
            n.log.compact(through);
        }
    }

    private void drain(SimNode n) {
        if (n.idle(now)) {
            reportDurable(n);
        }
        while (n.idle(now) && (!n.inbox.isEmpty() || n.pendingTicks > 0)) {
            if (!n.inbox.isEmpty()) {
                n.raft.step(n.inbox.poll());
            } else {
                n.pendingTicks--;
                n.raft.tick();
            }
        }
        pump(n);
    }

    /** Sends {@code n}'s messages; an acknowledgement must not claim more than {@code n}'s disk holds. */
    private void sendFrom(SimNode n, List<RaftMessage> messages) {
        for (RaftMessage m : messages) {
            if (m instanceof AppendEntriesResponse a) {
                checker.onAcknowledgement(n.id, n.log, a);
            }
        }
        send(messages);
    }

    private void send(List<RaftMessage> messages) {
        for (RaftMessage m : messages) {
            boolean lossy = !healed;
            if (cut[(int) m.from()][(int) m.to()] || lossy && random.nextDouble() < swarm.dropRate()) {
                continue;
            }
            schedule(now + 1 + random.nextInt(swarm.delayMaxUnits()), Kind.DELIVER, (int) m.to(), m);
            if (lossy && random.nextDouble() < swarm.duplicateRate()) {
                schedule(now + 1 + random.nextInt(swarm.delayMaxUnits() * 2), Kind.DELIVER, (int) m.to(), m);
            }
        }
    }

    // ---- events ----

    private void handle(Event ev) {
        SimNode n = ev.node > 0 ? nodes[ev.node] : null;
        switch (ev.kind) {
            case TICK -> onTick(n);
            case DELIVER -> onDeliver(n, (RaftMessage) ev.payload);
            case FSYNC_DONE -> fsyncDone(n, ev);
            case LOG_SYNCED -> logSynced(n, ev);
            case CRASH -> onCrash();
            case RESTART -> {
                if (!n.up) {
                    start(n);
                }
            }
            case PARTITION -> onPartition();
            case HEAL_PARTITION -> healPartition();
            case PAUSE -> onPause();
            case UNPAUSE -> drain(n);
            case PROPOSE -> onPropose();
            case TRANSFER -> onTransfer();
            case MEMBERSHIP -> onMembership();
            case UNREACHABLE -> onUnreachable(n, (Long) ev.payload);
        }
    }

    /** A hint, not a message: a node that is down, paused or busy with a Ready misses it. */
    private void onUnreachable(SimNode n, long peer) {
        if (!n.up || n.paused(now) || n.pending != null) {
            return;
        }
        n.raft.peerUnreachable(peer);
        pump(n);
    }

    private void onTick(SimNode n) {
        schedule(now + Swarm.TICK_UNITS, Kind.TICK, (int) n.id, null);
        if (!n.up || n.paused(now)) {
            return;
        }
        if (n.pending != null) {
            n.pendingTicks = Math.min(n.pendingTicks + 1, 3);
            return;
        }
        n.raft.tick();
        pump(n);
    }

    private void onDeliver(SimNode n, RaftMessage m) {
        if (!n.up) {
            return;
        }
        if (!n.idle(now)) {
            if (n.inbox.size() < SimNode.INBOX_MAX) {
                n.inbox.add(m);
            }
            return;
        }
        n.raft.step(m);
        pump(n);
    }

    private void onCrash() {
        if (!healed) {
            schedule(now + 100 + random.nextInt(600), Kind.CRASH, 0, null);
        }
        long leader = currentLeader();
        // Half of the crashes hit the leader: the interesting histories (figure 8 of the paper) need them.
        SimNode n = leader != 0 && random.nextBoolean() ? nodes[(int) leader]
            : nodes[1 + random.nextInt(nodes.length - 1)];
        if (!n.up || healed) {
            return;
        }
        n.up = false;
        crashes++;
        n.incarnation++;
        n.pending = null;
        n.inbox.clear();
        n.pendingTicks = 0;
        n.pausedUntil = 0;
        n.log.crash();
        schedule(now + 20 + random.nextInt(600), Kind.RESTART, (int) n.id, null);
        if (unreachableHints) {
            for (int i = 1; i < nodes.length; i++) {
                if (i != n.id && nodes[i].up) {
                    schedule(now + 1 + hintRandom.nextInt(40), Kind.UNREACHABLE, i, n.id);
                }
            }
        }
    }

    private void onPartition() {
        if (healed) {
            return;
        }
        schedule(now + 300 + random.nextInt(800), Kind.PARTITION, 0, null);
        if (partitioned) {
            return;
        }
        int n = nodes.length - 1;
        int shape = random.nextInt(3);
        int[] group = new int[n + 1];
        long leader = currentLeader();
        for (int i = 1; i <= n; i++) {
            group[i] = random.nextInt(2);
        }
        if (shape == 1 && leader != 0) {
            for (int i = 1; i <= n; i++) {
                group[i] = i == leader ? 0 : 1;
            }
        }
        int bridge = shape == 2 ? 1 + random.nextInt(n) : 0;
        for (int a = 1; a <= n; a++) {
            for (int b = 1; b <= n; b++) {
                cut[a][b] = group[a] != group[b] && a != bridge && b != bridge;
            }
        }
        partitioned = true;
        schedule(now + 100 + random.nextInt(700), Kind.HEAL_PARTITION, 0, null);
    }

    private void healPartition() {
        for (boolean[] row : cut) {
            java.util.Arrays.fill(row, false);
        }
        partitioned = false;
    }

    private void onPause() {
        if (healed) {
            return;
        }
        schedule(now + 200 + random.nextInt(800), Kind.PAUSE, 0, null);
        SimNode n = nodes[1 + random.nextInt(nodes.length - 1)];
        if (!n.up || n.paused(now)) {
            return;
        }
        n.pausedUntil = now + 100 + random.nextInt(700);
        schedule(n.pausedUntil, Kind.UNPAUSE, (int) n.id, null);
    }

    private void onPropose() {
        if (probe == null) {
            schedule(now + 1 + random.nextInt(swarm.proposeGapMaxUnits()), Kind.PROPOSE, 0, null);
        }
        long leader = currentLeader();
        int target = leader != 0 && random.nextInt(10) < 7 ? (int) leader : 1 + random.nextInt(nodes.length - 1);
        SimNode n = nodes[target];
        if (!n.idle(now)) {
            return;
        }
        long id = nextProposalId++;
        ProposeResult r = n.raft.propose(APP_TYPE, ProposalTracker.payload(id));
        if (r instanceof ProposeResult.Accepted a) {
            ProposalTracker.Accepted acc = new ProposalTracker.Accepted(a.index(), a.term(), id, now);
            proposals.accepted(acc);
            if (healed && probe == null) {
                probe = acc;
            }
        }
        pump(n);
    }

    private void onTransfer() {
        if (healed) {
            return;
        }
        schedule(now + 200 + random.nextInt(600), Kind.TRANSFER, 0, null);
        long leader = currentLeader();
        if (leader == 0 || !nodes[(int) leader].idle(now)) {
            return;
        }
        long target = 1 + random.nextInt(nodes.length - 1);
        nodes[(int) leader].raft.transferLeadership(target);
        pump(nodes[(int) leader]);
    }

    private void onMembership() {
        if (healed) {
            return;
        }
        schedule(now + 150 + random.nextInt(600), Kind.MEMBERSHIP, 0, null);
        long leader = currentLeader();
        if (leader == 0 || !nodes[(int) leader].idle(now)) {
            return;
        }
        // Sometimes a second request right behind the first, as two admins would: the core must refuse it.
        int requests = random.nextInt(3) == 0 ? 2 : 1;
        for (int i = 0; i < requests; i++) {
            RaftNode raft = nodes[(int) leader].raft;
            MembershipChange change = membership.choose(raft.membership(), leader, random);
            if (change != null && raft.proposeMembership(change) instanceof ProposeResult.Accepted) {
                membership.accepted(change);
                long joining = MembershipFaults.joining(change);
                if (joining != 0) {
                    start(nodes[(int) joining]);
                    schedule(now + 1 + random.nextInt(Swarm.TICK_UNITS), Kind.TICK, (int) joining, null);
                }
            }
        }
        pump(nodes[(int) leader]);
    }

    private void scheduleFaults() {
        if (swarm.membership()) {
            schedule(200 + random.nextInt(600), Kind.MEMBERSHIP, 0, null);
        }
        if (swarm.crashes()) {
            schedule(100 + random.nextInt(600), Kind.CRASH, 0, null);
        }
        if (swarm.partitions()) {
            schedule(100 + random.nextInt(800), Kind.PARTITION, 0, null);
        }
        if (swarm.pauses()) {
            schedule(100 + random.nextInt(800), Kind.PAUSE, 0, null);
        }
        if (swarm.transfers()) {
            schedule(200 + random.nextInt(600), Kind.TRANSFER, 0, null);
        }
    }

    /**
     * End of the safety phase: partitions, drops and duplicates stop and every node runs again; the network
     * keeps its delays (and so its reordering).
     */
    private void healAll() {
        healed = true;
        healTime = now;
        healPartition();
        for (int i = 1; i < nodes.length; i++) {
            SimNode n = nodes[i];
            if (!n.up && n.raft != null) {
                start(n);
            } else if (n.paused(now)) {
                n.pausedUntil = now;
                drain(n);
            }
        }
    }

    // ---- checks ----

    private void checkAfterEvent() {
        for (int i = 1; i < nodes.length; i++) {
            SimNode n = nodes[i];
            if (!n.up) {
                continue;
            }
            RaftNode r = n.raft;
            if (r.role() == Role.LEADER) {
                boolean newTerm = r.term() > n.leaderTermSeen;
                n.leaderTermSeen = r.term();
                checker.onLeader(r.term(), n.id, n.log);
                checker.onLeaderCommit(r.term(), n.id, n.log, r.commitIndex());
                membershipChecker.onLeader(n.id, r, n.log, newTerm);
                // with data loss a leader may count a follower's acknowledgement from before its loss: the entry then
                // survives on fewer disks, and repair mode (not this check) keeps it from being lost
                if (r.commitIndex() > n.lastCommit && !dataLoss.enabled()) {
                    membershipChecker.onLeaderCommitMoved(n.id, r, n.log, r.commitIndex(),
                        id -> id < nodes.length && nodes[(int) id].raft != null ? nodes[(int) id].log : null);
                }
            }
            if (r.commitIndex() < n.lastCommit) {
                throw new AssertionError("commit index of node " + n.id + " went back from " + n.lastCommit
                    + " to " + r.commitIndex());
            }
            n.lastCommit = r.commitIndex();
        }
        for (ProposalTracker.Accepted a : proposals.resolve(checker)) {
            if (a == probe) {
                probeCommitted = true;
            }
        }
        if (probe != null && !probeCommitted && !proposals.isUnresolved(probe)) {
            // The probe lost its slot to another leader: propose a new one.
            probe = null;
            schedule(now + 1, Kind.PROPOSE, 0, null);
        }
    }

    /** A leader committed a proposal made after healing, and every accepted proposal is resolved. */
    private boolean resolved() {
        return probeCommitted && proposals.unresolvedCount() == 0;
    }

    /** Every member of the leader's configuration (learners included) applied the probe. */
    private boolean caughtUp() {
        long leader = currentLeader();
        if (leader == 0) {
            return false;
        }
        Membership m = nodes[(int) leader].raft.membership();
        for (int i = 1; i < nodes.length; i++) {
            if (m.contains(i) && nodes[i].stateMachine.appliedIndex() < probe.index()) {
                return false;
            }
        }
        return true;
    }

    private long currentLeader() {
        long best = 0;
        long bestTerm = -1;
        for (int i = 1; i < nodes.length; i++) {
            SimNode n = nodes[i];
            if (n.up && n.raft.role() == Role.LEADER && n.raft.term() > bestTerm) {
                best = n.id;
                bestTerm = n.raft.term();
            }
        }
        return best;
    }

    private String describeLeaders() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < nodes.length; i++) {
            SimNode n = nodes[i];
            if (n.raft == null) {
                continue;
            }
            sb.append(n.id).append(':').append(n.up ? n.raft.role() + "/t" + n.raft.term() + "/c"
                + n.raft.commitIndex() + "/l" + n.raft.lastIndex() + (n.raft.membership().isVoter(n.id) ? ""
                : n.raft.membership().isLearner(n.id) ? "/learner" : "/out") : "down").append(' ');
        }
        return sb.toString().trim();
    }

    // ---- plumbing ----

    private void schedule(long time, Kind kind, int node, Object payload) {
        schedule(time, kind, node, payload, 0);
    }

    private void schedule(long time, Kind kind, int node, Object payload, int incarnation) {
        queue.add(new Event(time, seq++, kind, node, payload, incarnation));
    }

    private void remember(Event ev) {
        if (ev.kind == Kind.TICK) {
            return;
        }
        if (trace.size() == TRACE_MAX) {
            trace.removeFirst();
        }
        Object p = ev.payload instanceof Ready r ? "ready(entries=" + r.entries().size() + ", committed="
            + r.committedEntries().size() + ")" : ev.payload instanceof long[] mark ? "synced(gen=" + mark[0]
            + ", " + mark[1] + "@" + mark[2] + ")" : ev.payload;
        String state = "";
        if (ev.node > 0) {
            SimNode n = nodes[ev.node];
            state = !n.up ? " [down]" : " [" + n.raft.role() + " t" + n.raft.term() + " c" + n.raft.commitIndex() + " l"
                + n.raft.lastIndex() + (n.pending != null ? " busy" : "") + (n.paused(now) ? " paused" : "") + "]";
        }
        trace.addLast(ev.time + " " + ev.kind + (ev.node > 0 ? " n" + ev.node : "") + state
            + (p == null ? "" : " " + p));
    }

    private String failureReport(String cause) {
        StringBuilder sb = new StringBuilder();
        String replay = logSyncMaxUnits != swarm.fsyncMaxUnits() ? "-Dtest=SlowSyncSimulationTest -Dsim.slowSeeds=1"
            + " -Dsim.seedBase=" + seed : "-Dtest=SimulationTest -Dsim.seed=" + seed
            + (swarm.membership() ? "" : " -Dsim.noMembership=true") + (unreachableHints ? " -Dsim.hints=true" : "");
        sb.append("simulation failed: seed=").append(seed).append(" (replay: mvn -pl raft test ").append(replay)
            .append(")\n  ").append(cause).append("\n  swarm: ").append(swarm)
            .append("\n  time=").append(now).append(" events=").append(events).append(" nodes: ")
            .append(nodes[1].raft == null ? "?" : describeLeaders()).append("\n  ").append(membership.summary())
            .append(currentLeader() == 0 ? "" : ", leader's configuration " + nodes[(int) currentLeader()].raft
                .membership()).append("\n  last events:\n");
        for (String t : trace) {
            sb.append("    ").append(t).append('\n');
        }
        return sb.toString();
    }
}
