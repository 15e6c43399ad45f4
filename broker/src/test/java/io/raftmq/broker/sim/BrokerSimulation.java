package io.raftmq.broker.sim;

import io.raftmq.broker.replication.AppendCallback;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessageEncoder;
import io.raftmq.raft.core.Ready;
import io.raftmq.raft.core.Role;
import io.raftmq.raft.core.TransferResult;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.state.HardState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * A deterministic simulation of one broker group on one thread: three {@link SimMember}s running the real broker
 * storage and replication code (message store, raft log over the commit log, state machine, send batcher) under
 * a raft core driven per the Ready contract, as the raft simulator drives its nodes (docs/simulation.md). One seed
 * draws everything: the fault menu of the run ({@link Faults}), message drops, duplicates and delays (so
 * reordering), partitions (halves or the leader isolated), crashes that lose every write not forced (torn or
 * not), leadership transfers, pauses, and a workload of single-message sends to 2 topics x 4 queues through each
 * member's {@link SendBatcher}. {@link BrokerChecker} runs after every event. After {@link #SAFETY_MS} every
 * fault heals; within {@link #LIVENESS_MS} a new send must be acknowledged and every member must apply everything
 * committed; then the final check reads every committed message back on every member.
 */
final class BrokerSimulation {
    static final int MEMBERS = 3;
    static final long TICK_MS = 10;
    static final long SAFETY_MS = 3_000;
    static final long LIVENESS_MS = 6_000;
    static final String[] TOPICS = {"sim-orders", "sim-audit"};
    static final int QUEUES = 4;
    private static final int TRACE_MAX = Integer.getInteger("bsim.trace", 60);

    private enum Kind { TICK, DELIVER, FSYNC_DONE, LOG_SYNCED, CRASH, RESTART, PARTITION, HEAL_PARTITION, SEND,
        CHECKPOINT, TRANSFER, PAUSE, UNPAUSE }

    private record Event(long time, long seq, Kind kind, int member, Object payload, int incarnation) {
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
    record Outcome(long seed, Faults faults, long events, int sends, int acknowledged, long committedEntries,
                   int crashes, int partitions, int transfers, int pauses, int truncations, long maxTerm,
                   long catchUpMs) {
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
    private final SimMember[] members = new SimMember[MEMBERS + 1];
    private final boolean[][] cut = new boolean[MEMBERS + 1][MEMBERS + 1];
    private final BrokerChecker checker = new BrokerChecker(MEMBERS);
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) ->
        a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private final long[] queueChooser = new long[MEMBERS + 1];
    private long seq;
    private long events;
    private int sends;
    private int crashes;
    private int partitions;
    /** Ready writes that replaced a suffix of a member's log (Raft conflict resolution). */
    private int truncations;
    private boolean healed;
    private long healTime;
    private boolean partitioned;
    /** The first send acknowledged after healing, or null. */
    private BrokerChecker.Ack probe;

    BrokerSimulation(long seed, Path boundaryDir) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.faults = Faults.draw(random);
        this.transferRandom = new SplittableRandom(seed ^ 0x5452414E53464552L);
        this.transfers = transferRandom.nextInt(3) != 0;
        this.pauseRandom = new SplittableRandom(seed ^ 0x5041555345L);
        this.pauses = pauseRandom.nextInt(3) != 0;
        long[] voters = new long[MEMBERS];
        for (int i = 1; i <= MEMBERS; i++) {
            voters[i - 1] = i;
            members[i] = new SimMember(i, voters, clock, boundaryDir.resolve("n" + i));
        }
    }

    Outcome run() {
        try {
            return runUnchecked();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(failureReport(e.toString()), e);
        }
    }

    private Outcome runUnchecked() {
        for (int i = 1; i <= MEMBERS; i++) {
            start(members[i]);
            schedule(1 + random.nextInt((int) TICK_MS), Kind.TICK, i, null);
            schedule(500 + random.nextInt(1000), Kind.CHECKPOINT, i, null);
        }
        schedule(1 + random.nextInt(faults.sendGapMaxMs()), Kind.SEND, 0, null);
        if (faults.crashes()) {
            schedule(200 + random.nextInt(600), Kind.CRASH, 0, null);
        }
        if (faults.partitions()) {
            schedule(200 + random.nextInt(800), Kind.PARTITION, 0, null);
        }
        if (transfers) {
            schedule(200 + transferRandom.nextInt(800), Kind.TRANSFER, 0, null);
        }
        if (pauses) {
            schedule(200 + pauseRandom.nextInt(800), Kind.PAUSE, 0, null);
        }
        while (!queue.isEmpty()) {
            Event ev = queue.poll();
            if (!healed && ev.time >= SAFETY_MS) {
                queue.add(ev); // what healing schedules (restarts) runs first
                clock.advanceTo(SAFETY_MS);
                healAll();
                continue;
            }
            clock.advanceTo(ev.time);
            if (healed && clock.nowMs() - healTime > LIVENESS_MS) {
                throw new AssertionError("liveness: not caught up " + LIVENESS_MS + " ms after healing (probe="
                    + probe + ", reference=" + checker.referenceLastIndex() + ")");
            }
            events++;
            remember(ev);
            handle(ev);
            checker.afterEvent(members);
            if (healed && caughtUp()) {
                checker.checkFinal(members);
                return new Outcome(seed, faults, events, sends, checker.acknowledged(),
                    checker.referenceLastIndex(), crashes, partitions, transfersStarted, pausesStarted, truncations,
                    maxTerm(), clock.nowMs() - healTime);
            }
        }
        throw new AssertionError("event queue ran dry");
    }

    // ---- member lifecycle and the driver (the raft agent's duty cycle, one Ready at a time) ----

    private void start(SimMember m) {
        m.open(random.split());
        if (m.recoveryLoss != null) {
            throw new AssertionError("member " + m.id + ": recovery found damage inside the log after a crash that"
                + " only lost unforced writes: " + m.recoveryLoss);
        }
        checker.onRestart(m);
        pump(m);
    }

    private void pump(SimMember m) {
        if (m.idle() && m.raft.hasReady()) {
            startReady(m);
        }
    }

    /**
     * Ready steps in the agent's order: early messages, hard state (saved before the write; its commit index never
     * past the durable log), entries written to the commit log (the log sync runs apart, {@link #startLogSync});
     * a new term or vote keeps the member busy for a seeded fsync delay before the messages and the apply.
     */
    private void startReady(SimMember m) {
        Ready r = m.raft.ready();
        m.pending = r;
        send(r.earlyMessages());
        HardState saved = m.hardStateStore.load();
        boolean voteChanged = r.hardState() != null && (r.hardState().term() != saved.term()
            || r.hardState().votedFor() != saved.votedFor());
        if (r.hardState() != null) {
            HardState hs = r.hardState();
            m.hardStateStore.save(new HardState(hs.term(), hs.votedFor(), Math.min(hs.commitIndex(),
                Math.max(m.raft.durableIndex(), saved.commitIndex()))));
        }
        if (!r.entries().isEmpty()) {
            truncations += r.entries().get(0).index() <= m.log.lastIndex() ? 1 : 0;
            m.log.write(r.entries());
            Entry last = r.entries().get(r.entries().size() - 1);
            m.written(last.index(), last.term());
            startLogSync(m);
        }
        long delay = voteChanged ? 1 + random.nextInt(faults.fsyncMaxMs()) : 0;
        schedule(clock.nowMs() + delay, Kind.FSYNC_DONE, m.id, r, m.incarnation);
    }

    /**
     * Forces the commit log now (a crash after this keeps the writes so far) and reports it a seeded delay later:
     * writes made meanwhile are not covered, as with a real fsync that started before them.
     */
    private void startLogSync(SimMember m) {
        if (m.syncInFlight || m.writeGeneration <= m.syncedGeneration) {
            return;
        }
        m.log.sync();
        m.syncInFlight = true;
        long[] mark = {m.writeGeneration, m.writeIndex, m.writeTerm};
        schedule(clock.nowMs() + 1 + random.nextInt(faults.fsyncMaxMs()), Kind.LOG_SYNCED, m.id, mark,
            m.incarnation);
    }

    private void logSynced(SimMember m, Event ev) {
        if (ev.incarnation != m.incarnation || !m.up) {
            return;
        }
        if (m.paused()) { // the whole process stalls, its syncer thread too
            schedule(m.pausedUntil, Kind.LOG_SYNCED, m.id, ev.payload, ev.incarnation);
            return;
        }
        long[] mark = (long[]) ev.payload;
        m.syncInFlight = false;
        m.synced(mark[0], mark[1], mark[2]);
        startLogSync(m);
        drain(m);
    }

    private void reportDurable(SimMember m) {
        if (m.syncedGeneration > m.reportedGeneration) {
            m.reportedGeneration = m.syncedGeneration;
            m.raft.persisted(m.syncedIndex, m.syncedTerm);
        }
    }

    /** The rest of the Ready: messages, then apply (the state machine, then the proposals it answers), advance. */
    private void fsyncDone(SimMember m, Event ev) {
        if (ev.incarnation != m.incarnation || !m.up || m.pending != ev.payload) {
            return;
        }
        if (m.paused()) {
            schedule(m.pausedUntil, Kind.FSYNC_DONE, m.id, ev.payload, ev.incarnation);
            return;
        }
        Ready r = m.pending;
        send(r.messages());
        for (Entry e : r.committedEntries()) {
            m.stateMachine.apply(e);
            m.proposals.applied(e, m.raft.leaderId());
        }
        m.raft.advance(r);
        m.pending = null;
        drain(m);
    }

    /** While idle: the newest sync report, queued messages and ticks, queued proposals; then the next Ready. */
    private void drain(SimMember m) {
        if (!m.idle()) {
            return;
        }
        reportDurable(m);
        while (!m.inbox.isEmpty() || m.pendingTicks > 0) {
            if (!m.inbox.isEmpty()) {
                m.raft.step(m.inbox.poll());
            } else {
                m.pendingTicks--;
                m.raft.tick();
            }
        }
        m.proposals.takeAll(m.raft);
        pump(m);
    }

    // ---- network ----

    private void send(List<RaftMessage> messages) {
        for (RaftMessage msg : messages) {
            boolean lossy = !healed;
            if (cut[(int) msg.from()][(int) msg.to()] || lossy && random.nextDouble() < faults.dropRate()) {
                continue;
            }
            schedule(clock.nowMs() + 1 + random.nextInt(faults.delayMaxMs()), Kind.DELIVER, (int) msg.to(), msg);
            if (lossy && random.nextDouble() < faults.duplicateRate()) {
                schedule(clock.nowMs() + 1 + random.nextInt(faults.delayMaxMs() * 2), Kind.DELIVER, (int) msg.to(),
                    msg);
            }
        }
    }

    private void onDeliver(SimMember m, RaftMessage msg) {
        if (!m.up) {
            return;
        }
        if (!m.idle()) {
            if (m.inbox.size() < SimMember.INBOX_MAX) {
                m.inbox.add(msg);
            }
            return;
        }
        m.raft.step(msg);
        drain(m);
    }

    // ---- events ----

    private void handle(Event ev) {
        SimMember m = ev.member > 0 ? members[ev.member] : null;
        switch (ev.kind) {
            case TICK -> onTick(m);
            case DELIVER -> onDeliver(m, (RaftMessage) ev.payload);
            case FSYNC_DONE -> fsyncDone(m, ev);
            case LOG_SYNCED -> logSynced(m, ev);
            case CRASH -> onCrash();
            case RESTART -> {
                if (!m.up) {
                    start(m);
                }
            }
            case PARTITION -> onPartition();
            case HEAL_PARTITION -> healPartition();
            case SEND -> onSend();
            case CHECKPOINT -> onCheckpoint(m);
            case TRANSFER -> onTransfer();
            case PAUSE -> onPause();
            case UNPAUSE -> drain(m);
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
        m.raft.observeWallClock(clock.wallMillis());
        m.raft.tick();
        m.proposals.expire();
        drain(m);
    }

    /** The store's periodic checkpoint (derived data forced, dispatch checkpoint written), as retention runs it. */
    private void onCheckpoint(SimMember m) {
        schedule(clock.nowMs() + 500 + random.nextInt(1000), Kind.CHECKPOINT, m.id, null);
        if (m.idle()) {
            try {
                m.store.checkpoint();
            } catch (IOException e) {
                throw new UncheckedIOException("member " + m.id + " checkpoint", e);
            }
        }
    }

    private void onCrash() {
        if (healed) {
            return;
        }
        schedule(clock.nowMs() + 100 + random.nextInt(600), Kind.CRASH, 0, null);
        int leader = currentLeader();
        SimMember m = leader != 0 && random.nextBoolean() ? members[leader] : members[1 + random.nextInt(MEMBERS)];
        if (!m.up) {
            return;
        }
        crashes++;
        m.crash(new Random(random.nextLong()), faults.torn());
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
        int target = 1 + transferRandom.nextInt(MEMBERS);
        if (members[leader].raft.transferLeadership(target) == TransferResult.STARTED) {
            transfersStarted++;
        }
        drain(members[leader]);
    }

    /** A member's process stalls for 0.1-0.8 s: it steps, ticks, syncs and applies nothing meanwhile. */
    private void onPause() {
        if (healed) {
            return;
        }
        schedule(clock.nowMs() + 200 + pauseRandom.nextInt(800), Kind.PAUSE, 0, null);
        SimMember m = members[1 + pauseRandom.nextInt(MEMBERS)];
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
        int[] group = new int[MEMBERS + 1];
        boolean isolateLeader = leader != 0 && random.nextBoolean();
        for (int i = 1; i <= MEMBERS; i++) {
            group[i] = isolateLeader ? (i == leader ? 0 : 1) : random.nextInt(2);
        }
        for (int a = 1; a <= MEMBERS; a++) {
            for (int b = 1; b <= MEMBERS; b++) {
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
        for (int i = 1; i <= MEMBERS; i++) {
            if (!members[i].up) {
                start(members[i]);
            } else if (members[i].paused()) {
                members[i].pausedUntil = healTime;
                drain(members[i]);
            }
        }
    }

    // ---- workload ----

    /**
     * One single-message send, to the leader most of the time (else to any member, which refuses it: not leader),
     * through that member's send batcher as the SEND_MESSAGE processor submits it. After healing, sends continue
     * until one is acknowledged (the probe).
     */
    private void onSend() {
        if (!healed || probe == null) {
            schedule(clock.nowMs() + 1 + random.nextInt(healed ? 20 : faults.sendGapMaxMs()), Kind.SEND, 0, null);
        }
        int leader = currentLeader();
        SimMember m = members[leader != 0 && random.nextInt(10) < 8 ? leader : 1 + random.nextInt(MEMBERS)];
        if (!m.up) {
            return; // the client cannot connect
        }
        long sendId = ++sends;
        String topic = TOPICS[random.nextInt(TOPICS.length)];
        int queueId = (int) Math.floorMod(queueChooser[m.id]++ + random.nextInt(QUEUES), QUEUES);
        byte[] encoded = encode(sendId, topic, queueId, m.id, 8 + random.nextInt(200));
        m.batcher.submit(encoded, 1, new SendReply(sendId, topic, queueId, m.id));
        drain(m);
    }

    /** A stored message as the send processor encodes it (offsets 0: the store stamps them); body starts with id. */
    private byte[] encode(long sendId, String topic, int queueId, int member, int bodyBytes) {
        byte[] body = new byte[bodyBytes];
        ByteBuffer.wrap(body).putLong(sendId);
        for (int i = 8; i < bodyBytes; i++) {
            body[i] = (byte) (sendId * 31 + i);
        }
        HostAddress born = HostAddress.of(new byte[] {10, 0, 0, 9}, 40_000 + member);
        HostAddress store = HostAddress.of(new byte[] {10, 0, 1, (byte) member}, 10_911);
        MessageDraft d = new MessageDraft().topic(topic).queueId(queueId).flag(0).sysFlag(0)
            .bornTimestamp(clock.wallMillis()).bornHost(born).storeTimestamp(clock.wallMillis()).storeHost(store)
            .reconsumeTimes(0).preparedTransactionOffset(0).body(body)
            .properties(MessageProperties.encode(Map.of(MessageProperties.KEYS, "k" + sendId)));
        return new StoredMessageEncoder().encode(d);
    }

    /** What the producer hears: SEND_OK with offsets is recorded with the checker, anything else is no promise. */
    private final class SendReply implements AppendCallback {
        private final long sendId;
        private final String topic;
        private final int queueId;
        private final int member;

        SendReply(long sendId, String topic, int queueId, int member) {
            this.sendId = sendId;
            this.topic = topic;
            this.queueId = queueId;
            this.member = member;
        }

        @Override
        public void onCommitted(long[] physicalOffsets, long[] queueOffsets, int from, int count) {
            BrokerChecker.Ack a = new BrokerChecker.Ack(sendId, topic, queueId, physicalOffsets[from],
                queueOffsets[from], member, clock.nowMs());
            checker.onAck(a);
            if (healed && probe == null) {
                probe = a;
            }
        }

        @Override
        public void onFailed(int responseCode, String remark) {
            // not acknowledged: the producer would retry as a new send; nothing is promised
        }
    }

    // ---- end condition ----

    /** The probe is acknowledged and every member applied everything any member knows committed. */
    private boolean caughtUp() {
        if (probe == null) {
            return false;
        }
        long target = Math.max(checker.refAt(probe.physical()).index(), checker.referenceLastIndex());
        for (int i = 1; i <= MEMBERS; i++) {
            SimMember m = members[i];
            if (!m.up) {
                return false;
            }
            target = Math.max(target, m.raft.commitIndex());
        }
        for (int i = 1; i <= MEMBERS; i++) {
            if (members[i].stateMachine.appliedIndex() < target) {
                return false;
            }
        }
        return true;
    }

    private long maxTerm() {
        long max = 0;
        for (int i = 1; i <= MEMBERS; i++) {
            max = Math.max(max, members[i].up ? members[i].raft.term() : 0);
        }
        return max;
    }

    private int currentLeader() {
        int best = 0;
        long bestTerm = -1;
        for (int i = 1; i <= MEMBERS; i++) {
            SimMember m = members[i];
            if (m.up && m.raft.role() == Role.LEADER && m.raft.term() > bestTerm) {
                best = i;
                bestTerm = m.raft.term();
            }
        }
        return best;
    }

    // ---- plumbing ----

    private void schedule(long time, Kind kind, int member, Object payload) {
        schedule(time, kind, member, payload, 0);
    }

    private void schedule(long time, Kind kind, int member, Object payload, int incarnation) {
        queue.add(new Event(time, seq++, kind, member, payload, incarnation));
    }

    private void remember(Event ev) {
        if (ev.kind == Kind.TICK || TRACE_MAX == 0) {
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
            .append(seed).append(")\n  ").append(cause).append("\n  ").append(faults).append(" transfers=")
            .append(transfers).append(" pauses=").append(pauses).append("\n  time=")
            .append(clock.nowMs()).append(" events=").append(events).append(" sends=").append(sends)
            .append(" acknowledged=").append(checker.acknowledged()).append(" committed=")
            .append(checker.referenceLastIndex()).append("\n  members:");
        for (int i = 1; i <= MEMBERS; i++) {
            sb.append(' ').append(members[i].describe());
        }
        sb.append("\n  last events:\n");
        for (String t : trace) {
            sb.append("    ").append(t).append('\n');
        }
        return sb.toString();
    }
}
