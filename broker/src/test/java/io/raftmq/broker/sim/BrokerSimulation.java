package io.raftmq.broker.sim;

import io.raftmq.raft.core.Ready;
import io.raftmq.raft.core.Role;
import io.raftmq.raft.core.TransferResult;
import io.raftmq.raft.message.RaftMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A deterministic simulation of one broker group on one thread: three {@link SimMember}s running the real broker
 * storage and replication code (message store, raft log over the commit log, state machine, send batcher) under
 * a raft core driven per the Ready contract, as the raft simulator drives its nodes (docs/simulation.md). One seed
 * draws everything: the fault menu of the run ({@link Faults}), message drops, duplicates and delays (so
 * reordering), partitions (halves or the leader isolated), crashes that lose every write not forced (torn or
 * not), leadership transfers, pauses, and a workload ({@link SimWorkload}) of single and batch sends, consumer
 * offset commits, pulls ({@link PullChecker}) and topic creation ({@link SimTopics}). This class
 * holds the event queue and the faults; {@link SimDriver} drives each member per the Ready contract and carries
 * its messages. {@link BrokerChecker} runs after every event. After {@link #SAFETY_MS} every
 * fault heals; within {@link #LIVENESS_MS} a new send must be acknowledged and every member must apply everything
 * committed; then the final check reads every committed message back on every member.
 */
final class BrokerSimulation {
    static final int MEMBERS = 3;
    static final long TICK_MS = 10;
    static final long SAFETY_MS = 3_000;
    static final long LIVENESS_MS = 6_000;
    private static final int TRACE_MAX = Integer.getInteger("bsim.trace", 60);

    enum Kind { TICK, DELIVER, FSYNC_DONE, LOG_SYNCED, CRASH, RESTART, PARTITION, HEAL_PARTITION, SEND,
        CHECKPOINT, TRANSFER, PAUSE, UNPAUSE, OFFSET_COMMIT, PULL, CREATE_TOPIC, DISK_FAULT, DISK_CLEAR,
        /** A timer or executor task of one member's incarnation ({@link SimEndpoint}); payload a Runnable. */
        TASK, FORWARD, FORWARD_ANSWER,
        /** The transactional producer sends a half message ({@link SimTransactions}). */
        TRANSACTION,
        /** An END_TRANSACTION reaches a member (from the producer, or forwarded); payload a Runnable. */
        TRANSACTION_END,
        /** A client locks or unlocks queues ({@link SimLocks}). */
        LOCK,
        /** A member takes a snapshot; retention runs on a member ({@link SimSnapshots}). */
        SNAPSHOT, RETENTION,
        /** The joining member starts; a step of the membership changes ({@link SimMembership}). */
        JOIN, MEMBERSHIP }

    record Event(long time, long seq, Kind kind, int member, Object payload, int incarnation) {
    }

    /**
     * What a run may leave out ({@link SimShrinker}): a shorter fault phase ({@code -Dbsim.safetyMs}) and fault
     * kinds switched off ({@code -Dbsim.off=crashes,pauses,...}); the defaults leave nothing out.
     */
    record Knobs(long safetyMs, Set<String> off) {
        /** The kinds that can be switched off, in the order the shrinker tries them. */
        static final List<String> KINDS = List.of("crashes", "partitions", "transfers", "pauses", "disk", "lossy",
            "transactions", "locks", "snapshots", "membership");
        static final Knobs DEFAULT = new Knobs(SAFETY_MS, Set.of());

        Knobs {
            off = Set.copyOf(new TreeSet<>(off));
        }

        static Knobs fromProperties() {
            String off = System.getProperty("bsim.off", "");
            return new Knobs(Long.getLong("bsim.safetyMs", SAFETY_MS), off.isBlank() ? Set.of()
                : Set.of(off.split(",")));
        }

        boolean on(String kind) {
            return !off.contains(kind);
        }

        Knobs withSafetyMs(long ms) {
            return new Knobs(ms, off);
        }

        Knobs without(String kind) {
            Set<String> more = new TreeSet<>(off);
            more.add(kind);
            return new Knobs(safetyMs, more);
        }

        /** The system properties that replay a run with these knobs. */
        String flags() {
            return (safetyMs != SAFETY_MS ? " -Dbsim.safetyMs=" + safetyMs : "")
                + (off.isEmpty() ? "" : " -Dbsim.off=" + String.join(",", new TreeSet<>(off)));
        }
    }

    /** The fault menu of one run, drawn from its seed. */
    record Faults(double dropRate, double duplicateRate, int delayMaxMs, int fsyncMaxMs, boolean crashes,
                  boolean torn, boolean partitions, int sendGapMaxMs) {
        static Faults draw(SplittableRandom r) {
            return new Faults(r.nextInt(3) == 0 ? 0 : r.nextDouble() * 0.1, r.nextInt(3) == 0 ? 0
                : r.nextDouble() * 0.05, 1 + r.nextInt(20), 1 + r.nextInt(5), r.nextInt(4) != 0, r.nextBoolean(),
                r.nextInt(3) != 0, 1 + r.nextInt(8));
        }
    }

    /** Result of a passing run. */
    record Outcome(long seed, Faults faults, long events, long sends, int acknowledged, long committedEntries,
                   int crashes, int partitions, int transfers, int pauses, int truncations, long maxTerm,
                   long catchUpMs, int offsetCommits, long offsetAcks, int batches, long refused, int pulls,
                   long pulledMessages, int topicProposals, int diskFaults, int diskFailures, int damages,
                   int damageLosses, int damageRefusals, int forwarded, int heldPulls, int delayedSends,
                   int delayedDelivered, int halves, int transactionsVisible, int checksAnswered, int lockGrants,
                   int snapshots, int installs, long segmentsDeleted, String membership) {
    }

    private final long seed;
    private final SplittableRandom random;
    private final Faults faults;
    /**
     * Leadership transfers draw from a stream of their own, so a seed without them replays the history it had
     * before they were added.
     */
    private final SplittableRandom transferRandom;
    private final boolean transfers;
    private int transfersStarted;
    /** Pauses (a member's process stalls) draw from a stream of their own too. */
    private final SplittableRandom pauseRandom;
    private final boolean pauses;
    private int pausesStarted;
    private final SimClock clock = new SimClock();
    /** Membership changes: a stream of their own, off for most seeds (then three members, as before). */
    private final SimMembership membership;
    /** The members, 1-based: three, or four with membership changes ({@link SimMembership#JOINING}). */
    private final SimMember[] members;
    private final boolean[][] cut = new boolean[SimMembership.JOINING + 1][SimMembership.JOINING + 1];
    private final BrokerChecker checker = new BrokerChecker(SimMembership.JOINING);
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) ->
        a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private long seq;
    private long events;
    private int crashes;
    private int partitions;
    private boolean healed;
    private long healTime;
    private boolean partitioned;
    private final OffsetChecker offsetChecker = new OffsetChecker();
    /** Consumer offset commits draw from a stream of their own. */
    private final SplittableRandom offsetRandom;
    private final SimDriver driver;
    private final SimWorkload workload;
    /** Pulls and topic creation draw from streams of their own too. */
    private final PullChecker pullChecker;
    private final SimTopics topics;
    /** Disk full and device errors on one member at a time, from a stream of their own. */
    private final SimDiskFaults disk;
    /** Sends a follower forwards to the leader, over a network of their own (a stream of its own). */
    private final SimForwarding forwarding;
    /** Delayed and timer messages: a stream of their own, off for some seeds. */
    private final SimDelays delays;
    /** Transactions: a stream of their own, off for some seeds. */
    private final SimTransactions transactions;
    /** Queue locks: a stream of their own, off for some seeds. */
    private final SimLocks locks;
    /** Snapshots, install and retention: a stream of their own, off for some seeds. */
    private final SimSnapshots snapshots;
    private final boolean snapshotsAllowed;
    private final Knobs knobs;
    /** {@code drawn}, {@code always} or {@code false}: whether the run changes the membership. */
    private final String membershipMode;
    /** An extra invariant run after every event (a test's planted failure, {@link SimShrinker}). */
    private Runnable extraCheck = () -> { };

    BrokerSimulation(long seed, Path boundaryDir) {
        this(seed, boundaryDir, !"false".equals(System.getProperty("bsim.snapshots")));
    }

    /**
     * @param snapshotsAllowed whether the seed may draw snapshots and retention on ({@link SimSnapshots}); off, a
     *                         seed keeps the history it had before they were added ({@code -Dbsim.snapshots=false})
     */
    BrokerSimulation(long seed, Path boundaryDir, boolean snapshotsAllowed) {
        this(seed, boundaryDir, snapshotsAllowed, Knobs.fromProperties());
    }

    /** @param knobs what the run leaves out ({@link Knobs}) */
    BrokerSimulation(long seed, Path boundaryDir, boolean snapshotsAllowed, Knobs knobs) {
        this(seed, boundaryDir, snapshotsAllowed, knobs, System.getProperty("bsim.membership", "drawn"));
    }

    /**
     * @param membershipMode {@code drawn} (the seed draws whether it changes the membership), {@code always} (it does,
     *                   with the same draws otherwise: a membership regression seed) or {@code false} (never;
     *                   {@code -Dbsim.membership})
     */
    BrokerSimulation(long seed, Path boundaryDir, boolean snapshotsAllowed, Knobs knobs, String membershipMode) {
        this.seed = seed;
        this.snapshotsAllowed = snapshotsAllowed && knobs.on("snapshots");
        this.knobs = knobs;
        this.membershipMode = membershipMode;
        this.random = new SplittableRandom(seed);
        Faults drawn = Faults.draw(random);
        this.faults = knobs.on("lossy") ? drawn : new Faults(0, 0, drawn.delayMaxMs(), drawn.fsyncMaxMs(),
            drawn.crashes(), drawn.torn(), drawn.partitions(), drawn.sendGapMaxMs());
        this.transferRandom = new SplittableRandom(seed ^ 0x5452414E53464552L);
        this.transfers = transferRandom.nextInt(3) != 0 && knobs.on("transfers");
        this.pauseRandom = new SplittableRandom(seed ^ 0x5041555345L);
        this.pauses = pauseRandom.nextInt(3) != 0 && knobs.on("pauses");
        this.snapshots = new SimSnapshots(this, new SplittableRandom(seed ^ 0x534E415053L), clock,
            this.snapshotsAllowed);
        this.membership = new SimMembership(this, new SplittableRandom(seed ^ 0x4D454D424552L), clock,
            knobs.on("membership") && !"false".equals(membershipMode), "always".equals(membershipMode));
        this.members = new SimMember[membership.members() + 1];
        long[] voters = new long[MEMBERS];
        for (int i = 1; i <= MEMBERS; i++) {
            voters[i - 1] = i;
        }
        for (int i = 1; i < members.length; i++) {
            members[i] = new SimMember(i, voters, clock, boundaryDir.resolve("n" + i),
                snapshots.enabled() ? snapshots : null, membership.enabled());
        }
        this.delays = new SimDelays(new SplittableRandom(seed ^ 0x44454C4159L), clock);
        this.driver = new SimDriver(this, random, faults, clock, checker, cut);
        this.forwarding = new SimForwarding(this, new SplittableRandom(seed ^ 0x464F5257415244L), cut,
            faults.delayMaxMs());
        this.offsetRandom = new SplittableRandom(seed ^ 0x4F46465345545310L);
        this.pullChecker = new PullChecker(this, new SplittableRandom(seed ^ 0x50554C4C53L), clock, checker);
        this.topics = new SimTopics(this, new SplittableRandom(seed ^ 0x544F50494353L), clock);
        this.disk = new SimDiskFaults(this, new SplittableRandom(seed ^ 0x4449534BL), clock,
            new SplittableRandom(seed ^ 0x44414D414745L));
        this.workload = new SimWorkload(this, random, faults, clock, checker, offsetRandom, offsetChecker,
            pullChecker);
        this.transactions = new SimTransactions(this, new SplittableRandom(seed ^ 0x5452414E53L), clock, checker,
            pullChecker);
        this.locks = new SimLocks(this, new SplittableRandom(seed ^ 0x4C4F434B53L), clock);
        checker.watch(delays, transactions);
        delays.watch(pullChecker);
    }

    Outcome run() {
        Outcome o;
        try {
            o = runUnchecked();
        } catch (AssertionError | RuntimeException e) {
            AssertionError failed = new AssertionError(failureReport(e.toString()), e);
            try {
                releaseAll();
            } catch (AssertionError | RuntimeException r) {
                failed.addSuppressed(r); // the objects of a failed run may be in any state: keep the first error
            }
            throw failed;
        }
        releaseAll();
        return o;
    }

    /**
     * The run is over: every running member's endpoint is killed as a crash kills it (the requests its processors
     * still hold are released) and the forwarded requests and answers still on their way are released.
     */
    private void releaseAll() {
        for (Event ev : queue) {
            SimForwarding.release(ev.payload);
        }
        queue.clear();
        for (int i = 1; i < members.length; i++) {
            SimEndpoint e = members[i].endpoint;
            members[i].endpoint = null;
            if (e != null) {
                e.kill();
            }
        }
    }

    /** The members start and every stream schedules its first event, in the order that fixes the draws. */
    private void startAll() {
        for (int i = 1; i <= MEMBERS; i++) {
            driver.start(members[i]);
            schedule(1 + random.nextInt((int) TICK_MS), Kind.TICK, i, null);
            schedule(500 + random.nextInt(1000), Kind.CHECKPOINT, i, null);
        }
        if (membership.enabled()) {
            schedule(1, Kind.TICK, SimMembership.JOINING, null);
            schedule(500, Kind.CHECKPOINT, SimMembership.JOINING, null);
        }
        membership.start();
        schedule(1 + random.nextInt(faults.sendGapMaxMs()), Kind.SEND, 0, null);
        if (faults.crashes() && knobs.on("crashes")) {
            schedule(200 + random.nextInt(600), Kind.CRASH, 0, null);
        }
        if (faults.partitions() && knobs.on("partitions")) {
            schedule(200 + random.nextInt(800), Kind.PARTITION, 0, null);
        }
        if (transfers) {
            schedule(200 + transferRandom.nextInt(800), Kind.TRANSFER, 0, null);
        }
        if (pauses) {
            schedule(200 + pauseRandom.nextInt(800), Kind.PAUSE, 0, null);
        }
        schedule(50 + offsetRandom.nextInt(100), Kind.OFFSET_COMMIT, 0, null);
        schedule(1, Kind.PULL, 0, null);
        topics.start();
        if (knobs.on("disk")) {
            disk.start();
        }
        if (knobs.on("transactions")) {
            transactions.start();
        }
        if (knobs.on("locks")) {
            locks.start();
        }
        snapshots.start();
    }

    private Outcome runUnchecked() {
        startAll();
        while (!queue.isEmpty()) {
            Event ev = queue.poll();
            if (!healed && ev.time >= knobs.safetyMs()) {
                queue.add(ev); // what healing schedules (restarts) runs first
                clock.advanceTo(knobs.safetyMs());
                healAll();
                continue;
            }
            clock.advanceTo(ev.time);
            if (healed && clock.nowMs() - healTime > LIVENESS_MS) {
                throw new AssertionError("liveness: not caught up " + LIVENESS_MS + " ms after healing (probe="
                    + workload.probe() + ", reference=" + checker.referenceLastIndex() + ", delayed messages "
                    + (delays.allDelivered() ? "delivered" : "not all delivered") + ", transactions "
                    + (transactions.allResolved() ? "resolved" : "not all resolved: "
                    + transactions.describeUnresolved()) + ")");
            }
            events++;
            remember(ev);
            handle(ev);
            checker.afterEvent(members);
            membership.afterEvent(members, commitKnown());
            offsetChecker.afterEvent(members);
            workload.afterEvent();
            transactions.afterEvent();
            locks.afterEvent();
            pullChecker.afterEvent();
            checkEndpoints();
            topics.afterEvent();
            extraCheck.run();
            if (healed && caughtUp()) {
                SimMember[] last = finalMembers();
                checker.checkFinal(last);
                membership.checkFinal(last);
                delays.checkFinal();
                transactions.checkFinal();
                offsetChecker.checkFinal(last);
                pullChecker.checkFinal(last);
                topics.checkFinal(last);
                return new Outcome(seed, faults, events, workload.sends(), checker.acknowledged(),
                    checker.referenceLastIndex(), crashes, partitions, transfersStarted, pausesStarted,
                    driver.truncations(), maxTerm(), clock.nowMs() - healTime, workload.offsetCommits(),
                    offsetChecker.acknowledged(), workload.batches(), workload.refused(), pullChecker.pulls(),
                    pullChecker.pulledMessages(), topics.proposals(), disk.faults(), disk.failures(), disk.damages(),
                    disk.damageLosses(), disk.refusals(), forwarding.forwarded(), pullChecker.heldAnswered(),
                    delays.delayedSends(), delays.delivered(), transactions.halvesCommitted(), transactions.visible(),
                    transactions.checksAnswered(), locks.grants(), snapshots.taken(), snapshots.installs(),
                    snapshots.segmentsDeleted(), membership.describe());
            }
        }
        throw new AssertionError("event queue ran dry");
    }

    // ---- events ----

    private void handle(Event ev) {
        SimMember m = ev.member > 0 ? members[ev.member] : null;
        switch (ev.kind) {
            case TICK -> onTick(m);
            case DELIVER -> driver.onDeliver(m, (RaftMessage) ev.payload);
            case FSYNC_DONE -> driver.fsyncDone(m, ev);
            case LOG_SYNCED -> driver.logSynced(m, ev);
            case CRASH -> onCrash();
            case RESTART -> {
                if (!m.up && membership.mayRun(m)) {
                    driver.start(m);
                }
            }
            case PARTITION -> onPartition();
            case HEAL_PARTITION -> healPartition();
            case SEND -> workload.onSend();
            case CHECKPOINT -> onCheckpoint(m);
            case TRANSFER -> onTransfer();
            case PAUSE -> onPause();
            case UNPAUSE -> {
                resumeTasks(m);
                driver.drain(m);
            }
            case OFFSET_COMMIT -> workload.onOffsetCommit();
            case PULL -> pullChecker.onPull();
            case CREATE_TOPIC -> topics.onCreate((Integer) ev.payload);
            case DISK_FAULT -> disk.onFault();
            case DISK_CLEAR -> disk.onClear(m);
            case TASK -> onTask(m, ev);
            case FORWARD -> forwarding.onRequest((SimForwarding.Request) ev.payload);
            case FORWARD_ANSWER -> forwarding.onAnswer((SimForwarding.Answer) ev.payload);
            case TRANSACTION -> transactions.onSend();
            case TRANSACTION_END -> ((Runnable) ev.payload).run();
            case LOCK -> locks.onLock();
            case SNAPSHOT -> snapshots.onSnapshot(m);
            case RETENTION -> snapshots.onRetention(m);
            case JOIN -> membership.onJoin(m);
            case MEMBERSHIP -> membership.onStep();
        }
    }

    /** A timer or executor task of a member's process: dropped if that process died, delayed while it stalls. */
    private void onTask(SimMember m, Event ev) {
        if (!m.up || ev.incarnation != m.incarnation) {
            return;
        }
        if (m.paused()) {
            m.stalledTasks.addLast((Runnable) ev.payload);
            return;
        }
        driver.guard(m, (Runnable) ev.payload);
        driver.drain(m);
    }

    /** A stall ended (or healing cut it short): the tasks it held up run now, in their order. */
    private void resumeTasks(SimMember m) {
        while (!m.stalledTasks.isEmpty() && m.up) {
            schedule(clock.nowMs(), Kind.TASK, m.id, m.stalledTasks.pollFirst(), m.incarnation);
        }
    }

    /** No request processor threw (the endpoint answers SYSTEM_ERROR and counts it; here it is a bug). */
    private void checkEndpoints() {
        for (int i = 1; i < members.length; i++) {
            SimEndpoint e = members[i].endpoint;
            if (e != null && e.errors() != 0) {
                throw new AssertionError("member " + i + ": a request processor threw (see the log above)");
            }
        }
    }

    private void onTick(SimMember m) {
        schedule(clock.nowMs() + TICK_MS, Kind.TICK, m.id, null);
        if (!m.up || m.paused()) {
            return; // a stalled process loses its ticks (the agent does not replay them)
        }
        if (m.pending != null) {
            m.pendingTicks = Math.min(m.pendingTicks + 1, 3);
            return;
        }
        driver.guard(m, () -> {
            m.raft.observeWallClock(clock.wallMillis());
            m.raft.tick();
            m.proposals.expire();
            if (locks.enabled() && m.endpoint != null) {
                m.endpoint.observeReadiness();
            }
            driver.drain(m);
        });
    }

    /** The store's periodic checkpoint (derived data forced, dispatch checkpoint written), as retention runs it. */
    private void onCheckpoint(SimMember m) {
        schedule(clock.nowMs() + 500 + random.nextInt(1000), Kind.CHECKPOINT, m.id, null);
        if (m.idle()) {
            driver.guard(m, () -> {
                try {
                    m.store.checkpoint();
                } catch (IOException e) {
                    throw new UncheckedIOException("member " + m.id + " checkpoint", e);
                }
            });
        }
    }

    private void onCrash() {
        if (healed) {
            return;
        }
        schedule(clock.nowMs() + 100 + random.nextInt(600), Kind.CRASH, 0, null);
        int leader = currentLeader();
        SimMember m = leader != 0 && random.nextBoolean() ? members[leader]
            : members[1 + random.nextInt(members.length - 1)];
        if (!m.up) {
            return;
        }
        crashes++;
        m.crash(new Random(random.nextLong()), faults.torn());
        disk.maybeDamage(m);
        schedule(clock.nowMs() + 20 + random.nextInt(600), Kind.RESTART, m.id, null);
    }

    /**
     * The leader is asked to hand leadership to a member (itself sometimes: refused), as an operator's transfer or
     * a graceful stop does; sends proposed meanwhile are refused as leader-moving.
     */
    private void onTransfer() {
        if (healed) {
            return;
        }
        schedule(clock.nowMs() + 200 + transferRandom.nextInt(800), Kind.TRANSFER, 0, null);
        int leader = currentLeader();
        if (leader == 0 || !members[leader].idle()) {
            return;
        }
        int target = 1 + transferRandom.nextInt(members.length - 1);
        if (members[leader].raft.transferLeadership(target) == TransferResult.STARTED) {
            transfersStarted++;
        }
        driver.drain(members[leader]);
    }

    /** A member's process stalls for 0.1-0.8 s: it steps, ticks, syncs and applies nothing meanwhile. */
    private void onPause() {
        if (healed) {
            return;
        }
        schedule(clock.nowMs() + 200 + pauseRandom.nextInt(800), Kind.PAUSE, 0, null);
        SimMember m = members[1 + pauseRandom.nextInt(members.length - 1)];
        if (!m.up || m.paused()) {
            return;
        }
        pausesStarted++;
        m.pausedUntil = clock.nowMs() + 100 + pauseRandom.nextInt(700);
        schedule(m.pausedUntil, Kind.UNPAUSE, m.id, null);
    }

    private void onPartition() {
        if (healed) {
            return;
        }
        schedule(clock.nowMs() + 300 + random.nextInt(800), Kind.PARTITION, 0, null);
        if (partitioned) {
            return;
        }
        int leader = currentLeader();
        int n = members.length - 1;
        int[] group = new int[n + 1];
        boolean isolateLeader = leader != 0 && random.nextBoolean();
        for (int i = 1; i <= n; i++) {
            group[i] = isolateLeader ? (i == leader ? 0 : 1) : random.nextInt(2);
        }
        for (int a = 1; a <= n; a++) {
            for (int b = 1; b <= n; b++) {
                cut[a][b] = group[a] != group[b];
            }
        }
        partitioned = true;
        partitions++;
        schedule(clock.nowMs() + 100 + random.nextInt(700), Kind.HEAL_PARTITION, 0, null);
    }

    private void healPartition() {
        for (boolean[] row : cut) {
            Arrays.fill(row, false);
        }
        partitioned = false;
    }

    /** End of the fault phase: no more drops, duplicates, partitions or crashes; every member runs. */
    private void healAll() {
        healed = true;
        healTime = clock.nowMs();
        healPartition();
        disk.clearAll();
        membership.beforeHeal();
        for (int i = 1; i < members.length; i++) {
            if (!members[i].up && membership.mayRun(members[i])) {
                driver.start(members[i]);
            } else if (members[i].paused()) {
                members[i].pausedUntil = healTime;
                resumeTasks(members[i]);
                driver.drain(members[i]);
            }
        }
    }

    // ---- end condition ----

    /** The probe is acknowledged and every member applied everything any member knows committed. */
    private boolean caughtUp() {
        if (workload.probe() == null || !delays.allDelivered() || !transactions.allResolved() || !membership.done()) {
            return false;
        }
        long target = Math.max(checker.refAt(workload.probe().physical()).index(), checker.referenceLastIndex());
        SimMember[] last = finalMembers();
        for (int i = 1; i < last.length; i++) {
            SimMember m = last[i];
            if (!m.up) {
                return false;
            }
            target = Math.max(target, m.raft.commitIndex());
        }
        for (int i = 1; i < last.length; i++) {
            if (last[i].stateMachine.appliedIndex() < target) {
                return false;
            }
        }
        return true;
    }

    /** The members the end checks cover: all but the removed one ({@link SimMembership}), 1-based. */
    private SimMember[] finalMembers() {
        if (membership.removed() == 0) {
            return members;
        }
        SimMember[] last = new SimMember[members.length - 1];
        int k = 1;
        for (int i = 1; i < members.length; i++) {
            if (i != membership.removed()) {
                last[k++] = members[i];
            }
        }
        return last;
    }

    /** The highest commit index any member ever reported. */
    private long commitKnown() {
        long max = 0;
        for (int i = 1; i < members.length; i++) {
            max = Math.max(max, members[i].commitKnown);
        }
        return max;
    }

    private long maxTerm() {
        long max = 0;
        for (int i = 1; i < members.length; i++) {
            max = Math.max(max, members[i].up ? members[i].raft.term() : 0);
        }
        return max;
    }

    /** The member with this id (1-based). */
    SimMember member(int id) {
        return members[id];
    }

    SimDriver driver() {
        return driver;
    }

    /** Runs {@code check} after every event too (a test's planted failure). */
    void addCheck(Runnable check) {
        extraCheck = check;
    }

    int crashes() {
        return crashes;
    }

    int partitions() {
        return partitions;
    }

    BrokerChecker checker() {
        return checker;
    }

    SimSnapshots snapshots() {
        return snapshots;
    }

    /** After healing, with the probe acknowledged, on a seed with delayed messages (which may still be due). */
    boolean waitingForDueTimes() {
        return healed && (delays.enabled() || transactions.enabled()) && workload.probe() != null;
    }

    SimTransactions transactions() {
        return transactions;
    }

    SimWorkload workload() {
        return workload;
    }

    /** Whether the link between members {@code a} and {@code b} is cut now (a partition). */
    boolean cut(int a, int b) {
        return cut[a][b];
    }

    SimDelays delays() {
        return delays;
    }

    SimForwarding forwarding() {
        return forwarding;
    }

    long nowMs() {
        return clock.nowMs();
    }

    SimDiskFaults disk() {
        return disk;
    }

    boolean healed() {
        return healed;
    }

    /** Whether member {@code id} was removed and stopped for good ({@link SimMembership}). */
    boolean removed(int id) {
        return membership.removed() == id;
    }

    /** How many members the run has (ids 1..n): three, or four with membership changes. */
    int memberCount() {
        return members.length - 1;
    }

    int currentLeader() {
        int best = 0;
        long bestTerm = -1;
        for (int i = 1; i < members.length; i++) {
            SimMember m = members[i];
            if (m.up && m.raft.role() == Role.LEADER && m.raft.term() > bestTerm) {
                best = i;
                bestTerm = m.raft.term();
            }
        }
        return best;
    }

    // ---- plumbing ----

    void schedule(long time, Kind kind, int member, Object payload) {
        schedule(time, kind, member, payload, 0);
    }

    void schedule(long time, Kind kind, int member, Object payload, int incarnation) {
        queue.add(new Event(time, seq++, kind, member, payload, incarnation));
    }

    private void remember(Event ev) {
        if (ev.kind == Kind.TICK || ev.kind == Kind.PULL || ev.kind == Kind.TASK || TRACE_MAX == 0) {
            return;
        }
        if (trace.size() == TRACE_MAX) {
            trace.removeFirst();
        }
        Object p = ev.payload instanceof Ready r ? "ready(entries=" + r.entries().size() + ", committed="
            + r.committedEntries().size() + ")" : ev.payload instanceof long[] mark ? "synced(" + mark[1] + "@"
            + mark[2] + ")" : ev.payload;
        trace.addLast(ev.time + " " + ev.kind + (ev.member > 0 ? " " + members[ev.member].describe() : "")
            + (p == null ? "" : " " + p));
    }

    private String failureReport(String cause) {
        StringBuilder sb = new StringBuilder();
        sb.append("broker simulation failed: seed=").append(seed).append(" (replay: mvn -pl broker -am test")
            .append(" -Dtest=BrokerSimulationTest -Dsurefire.failIfNoSpecifiedTests=false -Dbsim.seed=")
            .append(seed).append(snapshotsAllowed || !knobs.on("snapshots") ? "" : " -Dbsim.snapshots=false")
            .append(knobs.flags()).append("drawn".equals(membershipMode) ? "" : " -Dbsim.membership=" + membershipMode)
            .append(")\n  ").append(cause)
            .append("\n  ").append(faults).append(" transfers=")
            .append(transfers).append(" pauses=").append(pauses).append(" snapshots=").append(snapshots.enabled())
            .append(' ').append(disk.describe()).append(membership.enabled() ? "\n  " + membership.history() : "")
            .append("\n  time=")
            .append(clock.nowMs()).append(" events=").append(events).append(" sends=").append(workload.sends())
            .append(" acknowledged=").append(checker.acknowledged()).append(" committed=")
            .append(checker.referenceLastIndex()).append("\n  members:");
        for (int i = 1; i < members.length; i++) {
            sb.append(' ').append(members[i].describe());
        }
        sb.append("\n  last events:\n");
        for (String t : trace) {
            sb.append("    ").append(t).append('\n');
        }
        return sb.toString();
    }
}
