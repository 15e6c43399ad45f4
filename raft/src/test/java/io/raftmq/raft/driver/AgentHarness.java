package io.raftmq.raft.driver;

import io.raftmq.raft.core.Role;
import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.state.MemoryHardStateStore;
import io.raftmq.raft.statemachine.Snapshot;
import io.raftmq.raft.statemachine.StateMachine;
import io.raftmq.raft.transport.Transport;
import io.raftmq.raft.transport.TransportStats;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Test fixture: N {@link RaftAgent}s driven by hand on the test thread, one {@link ManualClock}, an in-memory
 * transport that delivers on flush (links can be cut), and per-node recording of the driver's I/O order
 * ("write", "sync", "save", "send ...") so tests can check the Ready contract. Deterministic for a given seed.
 */
final class AgentHarness {
    final ManualClock clock = new ManualClock(1_000_000_000L);
    final long seed;
    final Node[] nodes;
    /** cut[a][b]: messages from a to b are dropped. */
    final boolean[][] cut;
    /** applyCostMs[id]: how far node id's state machine moves the clock per applied entry (a slow apply). */
    final long[] applyCostMs;
    /** Log syncs are run by the harness ({@link #runUntil}), not inside the agents' cycles. */
    final boolean syncByHand;
    /** syncHeld[id]: node id's log syncer does not run (its disk is slow); only with {@link #syncByHand}. */
    final boolean[] syncHeld;

    AgentHarness(int n, long seed, DurabilityMode mode) {
        this(n, seed, mode, false);
    }

    AgentHarness(int n, long seed, DurabilityMode mode, boolean syncByHand) {
        this.seed = seed;
        this.syncByHand = syncByHand;
        this.syncHeld = new boolean[n + 1];
        this.nodes = new Node[n + 1];
        this.cut = new boolean[n + 1][n + 1];
        this.applyCostMs = new long[n + 1];
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i + 1;
        }
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int id = 1; id <= n; id++) {
            nodes[id] = new Node(id, MajorityConfig.of(ids), seeds.split(), mode);
        }
    }

    /** Runs duty cycles on every node; when nobody has work, moves the clock one tick. */
    void runUntil(BooleanSupplier done, int roundsMax) {
        for (int round = 0; round < roundsMax; round++) {
            if (done.getAsBoolean()) {
                return;
            }
            round();
        }
        throw new AssertionError("condition not reached within " + roundsMax + " rounds (seed " + seed + ")");
    }

    /** Runs {@code rounds} rounds whatever happens. */
    void runRounds(int rounds) {
        for (int round = 0; round < rounds; round++) {
            round();
        }
    }

    private void round() {
        int work = 0;
        for (int id = 1; id < nodes.length; id++) {
            if (!nodes[id].halted) {
                work += nodes[id].agent.doWork();
                if (syncByHand && !syncHeld[id]) {
                    work += nodes[id].agent.logSyncer().syncOnce();
                }
            }
        }
        if (work == 0) {
            clock.advanceMs(10);
        }
    }

    Node leader() {
        for (int id = 1; id < nodes.length; id++) {
            if (!nodes[id].halted && nodes[id].agent.status().role() == Role.LEADER) {
                return nodes[id];
            }
        }
        return null;
    }

    Node awaitLeader() {
        runUntil(() -> leader() != null, 10_000);
        return leader();
    }

    final class Node {
        final long id;
        final List<String> events = new ArrayList<>();
        final List<Entry> applied = new ArrayList<>();
        final MemoryRaftLog raftLog = new MemoryRaftLog();
        final MemoryHardStateStore store = new MemoryHardStateStore();
        final RaftAgent agent;
        int appendCalls;
        int syncCalls;
        boolean halted;
        /** Acknowledgements sent for more than the disk held at that moment (must stay empty). */
        final List<String> ackedPastDurable = new ArrayList<>();

        Node(long id, MajorityConfig voters, SplittableRandom random, DurabilityMode mode) {
            this.id = id;
            RaftAgentConfig cfg = RaftAgentConfig.defaults(id).withDurability(mode);
            this.agent = new RaftAgent(cfg, voters, new RecordingLog(this), new RecordingStore(this),
                new RecordingStateMachine(this), 0, new LocalTransport(this), clock, random::nextInt);
            if (syncByHand) {
                agent.syncLogByHand();
            }
        }
    }

    private final class RecordingLog implements io.raftmq.raft.log.RaftLog {
        private final Node n;

        RecordingLog(Node n) {
            this.n = n;
        }

        public long firstIndex() {
            return n.raftLog.firstIndex();
        }

        public long lastIndex() {
            return n.raftLog.lastIndex();
        }

        public long term(long index) {
            return n.raftLog.term(index);
        }

        public List<Entry> entries(long lo, long hi, long maxBytes) {
            return n.raftLog.entries(lo, hi, maxBytes);
        }

        public void append(List<Entry> entries) {
            n.appendCalls++;
            n.events.add("write");
            n.raftLog.append(entries);
        }

        public void truncateSuffix(long fromIndex) {
            n.raftLog.truncateSuffix(fromIndex);
        }

        public void resetToSnapshot(long index, long term) {
            n.raftLog.resetToSnapshot(index, term);
        }

        public void sync() {
            n.syncCalls++;
            n.events.add("sync");
            n.raftLog.sync();
        }
    }

    private static final class RecordingStore implements io.raftmq.raft.state.HardStateStore {
        private final Node n;

        RecordingStore(Node n) {
            this.n = n;
        }

        @Override
        public HardState load() {
            return n.store.load();
        }

        @Override
        public void save(HardState s) {
            n.events.add("save " + s.term() + "/" + s.votedFor());
            n.store.save(s);
        }
    }

    private final class RecordingStateMachine implements StateMachine {
        private final Node n;

        RecordingStateMachine(Node n) {
            this.n = n;
        }

        public void apply(Entry e) {
            n.applied.add(e);
            clock.advanceMs(applyCostMs[(int) n.id]);
        }

        public Snapshot takeSnapshot() {
            throw new UnsupportedOperationException("no snapshots in this harness");
        }

        public void restore(Snapshot s) {
            throw new UnsupportedOperationException("no snapshots in this harness");
        }
    }

    private final class LocalTransport implements Transport {
        private final Node n;
        private final List<RaftMessage> queued = new ArrayList<>();

        LocalTransport(Node n) {
            this.n = n;
        }

        public void start(InboundSink sink) {
        }

        public void send(RaftMessage m) {
            if (m instanceof io.raftmq.raft.message.AppendEntriesResponse a && !a.reject()
                && a.index() > n.raftLog.durableLastIndex()) {
                n.ackedPastDurable.add(a + " with durable " + n.raftLog.durableLastIndex());
            }
            n.events.add("send " + m.getClass().getSimpleName()
                + (m instanceof io.raftmq.raft.message.VoteResponse v && v.granted() && !v.preVote() ? " granted"
                    : "")
                + (m instanceof io.raftmq.raft.message.AppendEntries a && !a.entries().isEmpty()
                    ? " +" + a.entries().size() : ""));
            queued.add(m);
        }

        public void flush() {
            for (RaftMessage m : queued) {
                int to = (int) m.to();
                if (!cut[(int) n.id][to] && !nodes[to].halted) {
                    nodes[to].agent.deliver(m);
                }
            }
            queued.clear();
        }

        public TransportStats stats() {
            return new TransportStats(0, 0, 0, 0, 0, 0);
        }

        public void close() {
        }
    }
}
