package io.raftmq.tools.bench.raft;

import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.driver.DurabilityMode;
import io.raftmq.raft.driver.ProposalCallback;
import io.raftmq.raft.driver.ProposalException;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftAgentConfig;
import io.raftmq.raft.driver.RaftStatus;
import io.raftmq.tools.bench.LatencyRecorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Benchmark tool (not a test): N Raft nodes in one JVM over real loopback TCP (127.0.0.1, 127.0.0.2, ...), each
 * with a file-backed commit log (via CommitLogRaftLog) in a temp dir, and several client threads proposing
 * fixed-size entries to the leader with a bounded number in flight. Prints
 * {@code RESULT mode=raft nodes=.. size=.. commits_s=.. p50_us=.. p99_us=..} (latency from propose to committed
 * on the leader, after a warm-up). With {@code --kill-leader-every S} it kills the leader abruptly at a fixed
 * rate of one kill every S seconds, later only when the previous failover (election, restart of the victim from
 * its files as a follower, its catch-up) overran its slot; each kill's phases go to stderr; it also prints
 * {@code RESULT mode=raft-failover kills=.. election_ms_p50=.. election_ms_max=.. terms_per_failover=..}
 * (time from the leader's death to a new leader committing an entry).
 *
 * <p>Usage: {@code raftmq-bench raft [--nodes 3] [--size 1024] [--seconds 20] [--warmup min(5, seconds/4)]
 * [--clients 4]
 * [--inflight 4096] [--rate 0 (unlimited proposals/s)] [--durability quorum-fsync|quorum-memory]
 * [--kill-leader-every S] [--dir PATH] [--tail-cache ENTRIES]}
 * (S may be a decimal number of seconds). A bad flag or value prints one line and exits with status 2.
 */
public final class RaftBench {
    /** No kill starts later than this before the end of the run (election, restart and catch-up fit in it). */
    private static final long KILL_TAIL_NS = TimeUnit.SECONDS.toNanos(1);
    /** Default warm-up (not measured): the JIT compiles the hot paths (C2 keeps a core busy for seconds). */
    private static final int WARMUP_SECONDS_DEFAULT = 5;
    private static final int RATE_BURSTS_PER_SECOND = 200;
    private static final long KILL_EVERY_NS_MIN = TimeUnit.SECONDS.toNanos(1);
    private final Options opt;
    private final BenchNode[] nodes;
    private final LatencyRecorder latency = new LatencyRecorder();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Next free proposal slot with {@code --rate}. */
    private final AtomicLong nextProposalNs = new AtomicLong(System.nanoTime());
    private final List<long[]> failovers = new ArrayList<>(); // {electionNs, terms}
    private volatile long measureFromNs = Long.MAX_VALUE;
    private volatile boolean running = true;
    /** When a proposal last failed; clients back off for 5 ms after a failure (election window). */
    private volatile long lastFailureNs;
    private Thread killer;
    private double cpuUsPerCommit;
    private java.util.Map<String, Double> threadCpuUsPerCommit = java.util.Map.of();

    private RaftBench(Options opt) {
        this.opt = opt;
        this.nodes = new BenchNode[opt.nodes + 1];
    }

    public static void main(String[] args) throws Exception {
        Options opt;
        try {
            opt = Options.parse(args);
        } catch (ParameterException e) {
            System.err.println("raftmq-bench raft: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (opt.help) {
            new CommandLine(opt).usage(System.out);
            return;
        }
        Path root = opt.dir != null ? Files.createDirectories(opt.dir) : Files.createTempDirectory("raftmq-bench");
        try {
            new RaftBench(opt).run(root);
        } finally {
            if (opt.dir == null) {
                deleteTree(root);
            }
        }
    }

    private void run(Path root) throws Exception {
        startCluster(root);
        awaitLeader(Long.MIN_VALUE, 30_000);
        List<Thread> clients = new ArrayList<>();
        Semaphore inflight = new Semaphore(opt.inflight);
        for (int c = 0; c < opt.clients; c++) {
            Thread t = new Thread(() -> clientLoop(inflight), "bench-client-" + c);
            t.setDaemon(true);
            t.start();
            clients.add(t);
        }
        long startNs = System.nanoTime();
        long warmupNs = TimeUnit.SECONDS.toNanos(opt.warmupSeconds);
        measureFromNs = startNs + warmupNs;
        long endNs = startNs + warmupNs + TimeUnit.SECONDS.toNanos(opt.seconds);
        long committedAtStart = -1;
        if (opt.killEveryNs > 0) {
            killLoop(endNs);
        }
        while (System.nanoTime() < measureFromNs) {
            LockSupport.parkNanos(1_000_000);
        }
        committedAtStart = committed.get();
        long cpuAtStartNs = processCpuNs();
        java.util.Map<String, Long> threadsAtStart = threadCpuNs();
        while (System.nanoTime() < endNs) {
            LockSupport.parkNanos(10_000_000);
        }
        long commits = committed.get() - committedAtStart;
        cpuUsPerCommit = (processCpuNs() - cpuAtStartNs) / 1e3 / Math.max(1, commits);
        threadCpuUsPerCommit = new java.util.TreeMap<>();
        for (java.util.Map.Entry<String, Long> e : threadCpuNs().entrySet()) {
            long delta = e.getValue() - threadsAtStart.getOrDefault(e.getKey(), 0L);
            threadCpuUsPerCommit.put(e.getKey(), delta / 1e3 / Math.max(1, commits));
        }
        double seconds = (System.nanoTime() - measureFromNs) / 1e9;
        running = false;
        for (Thread t : clients) {
            t.join(5_000);
        }
        if (killer != null) {
            killer.join(30_000);
        }
        report(commits / seconds);
        for (BenchNode n : nodes) {
            if (n != null) {
                n.stop();
            }
        }
    }

    private void startCluster(Path root) throws IOException {
        long[] ids = new long[opt.nodes];
        for (int i = 0; i < opt.nodes; i++) {
            ids[i] = i + 1;
        }
        MajorityConfig voters = MajorityConfig.of(ids);
        for (int id = 1; id <= opt.nodes; id++) {
            RaftAgentConfig cfg = RaftAgentConfig.defaults(id).withDurability(opt.durability);
            InetSocketAddress addr = new InetSocketAddress(InetAddress.getByName("127.0.0." + id), 0);
            nodes[id] = new BenchNode(id, root.resolve("node" + id), addr, cfg, voters, 1000L * id, opt.tailCache);
            nodes[id].start();
        }
        for (int id = 1; id <= opt.nodes; id++) {
            nodes[id].addPeers(nodes);
            nodes[id].agent.start();
        }
    }

    /** The current leader's agent, or null. */
    private RaftAgent leader() {
        RaftAgent best = null;
        long bestTerm = -1;
        for (int id = 1; id < nodes.length; id++) {
            RaftAgent a = nodes[id].agent;
            if (a != null) {
                RaftStatus s = a.status();
                if (s.isLeader() && s.term() > bestTerm) {
                    best = a;
                    bestTerm = s.term();
                }
            }
        }
        return best;
    }

    private RaftAgent awaitLeader(long termAbove, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            RaftAgent a = leader();
            if (a != null && a.status().term() > termAbove) {
                return a;
            }
            LockSupport.parkNanos(200_000);
        }
        throw new IllegalStateException("no leader within " + timeoutMs + " ms");
    }

    private void clientLoop(Semaphore inflight) {
        byte[] payload = new byte[opt.size]; // shared: entries never mutate payloads
        while (running) {
            RaftAgent a = leader();
            if (a == null) {
                LockSupport.parkNanos(1_000_000);
                continue;
            }
            if (System.nanoTime() - lastFailureNs < 5_000_000) {
                LockSupport.parkNanos(1_000_000);
                continue;
            }
            int permits = takePermits(inflight);
            if (permits == 0) {
                continue;
            }
            for (int sent = 0; sent < permits; ) {
                int burst = permits - sent;
                if (opt.rate > 0) {
                    burst = Math.min(burst, Math.max(1, opt.rate / RATE_BURSTS_PER_SECOND));
                    parkUntil(nextSlotNs(burst));
                }
                for (int i = 0; i < burst; i++) {
                    a.propose(16, payload, new Timed(inflight, System.nanoTime()));
                }
                sent += burst;
            }
        }
    }

    /**
     * With {@code --rate R}: when the next {@code n} proposals may leave (slots 1/R apart across all clients; a
     * client sends a burst of at most R/200 at once, so it parks at most 200 times a second). A schedule that fell
     * behind (clients blocked on the in-flight window or on an election) restarts from now, without a burst.
     */
    private long nextSlotNs(int n) {
        long intervalNs = n * 1_000_000_000L / opt.rate;
        while (true) {
            long now = System.nanoTime();
            long slot = nextProposalNs.get();
            long mine = slot - now < 0 ? now : slot;
            if (nextProposalNs.compareAndSet(slot, mine + intervalNs)) {
                return mine;
            }
        }
    }

    /**
     * Blocks (without polling) until a permit is free, then takes every free permit: one wake-up per burst of
     * proposals. Returns 0 after 10 ms without a permit so the caller can re-check the leader and the deadline.
     */
    private static int takePermits(Semaphore inflight) {
        try {
            if (!inflight.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                return 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
        return 1 + inflight.drainPermits();
    }

    /** Completion of one proposal: latency on success, the permit back in any case. */
    private final class Timed implements ProposalCallback {
        private final Semaphore inflight;
        private final long startNs;

        Timed(Semaphore inflight, long startNs) {
            this.inflight = inflight;
            this.startNs = startNs;
        }

        @Override
        public void onCommitted(long index, long term) {
            committed.incrementAndGet();
            if (startNs >= measureFromNs) {
                latency.recordNanos(System.nanoTime() - startNs);
            }
            inflight.release();
        }

        @Override
        public void onFailure(ProposalException cause) {
            failed.incrementAndGet();
            lastFailureNs = System.nanoTime();
            inflight.release();
        }
    }

    /**
     * Kills the leader at a fixed rate: kill k is due {@code k * period} after the start, or at once when the
     * previous failover (election, restart of the victim, its catch-up) overran its slot. No kill is started less
     * than {@link #KILL_TAIL_NS} before the end, so every failover completes inside the run.
     */
    private void killLoop(long endNs) {
        killer = new Thread(() -> {
            try {
                long due = System.nanoTime() + opt.killEveryNs;
                while (running && due + KILL_TAIL_NS < endNs) {
                    parkUntil(due);
                    killLeaderOnce();
                    due = Math.max(due + opt.killEveryNs, System.nanoTime());
                }
            } catch (RuntimeException e) { // tool boundary: report and stop killing
                System.err.println("kill loop stopped: " + e);
            }
        }, "bench-killer");
        killer.setDaemon(true);
        killer.start();
    }

    private static void parkUntil(long deadlineNs) {
        for (long left = deadlineNs - System.nanoTime(); left > 0; left = deadlineNs - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private void killLeaderOnce() {
        RaftAgent old = awaitLeader(Long.MIN_VALUE, 10_000);
        long oldTerm = old.status().term();
        BenchNode victim = nodeOf(old);
        long deathNs = System.nanoTime();
        victim.kill();
        RaftAgent next = awaitLeader(oldTerm, 10_000);
        long firstSeenLast = next.status().lastIndex();
        while (next.status().commitIndex() < firstSeenLast) {
            if (!next.status().isLeader()) {
                next = awaitLeader(oldTerm, 10_000);
                firstSeenLast = next.status().lastIndex();
            }
            LockSupport.parkNanos(100_000);
        }
        long electedNs = System.nanoTime();
        long terms = next.status().term() - oldTerm;
        synchronized (failovers) {
            failovers.add(new long[] {electedNs - deathNs, terms});
        }
        victim.start();
        victim.addPeers(nodes);
        victim.agent.start();
        long restartedNs = System.nanoTime();
        long behind = next.status().commitIndex() - victim.agent.status().appliedIndex();
        boolean caughtUp = awaitCaughtUp(victim, next.status().commitIndex());
        long doneNs = System.nanoTime();
        System.err.printf(Locale.ROOT, "info: kill %d: node %d, election_ms=%.1f terms=%d restart_ms=%.1f "
                + "catch_up_ms=%.1f (%d entries behind%s)%n", failovers.size(), victim.id, (electedNs - deathNs) / 1e6,
            terms, (restartedNs - electedNs) / 1e6, (doneNs - restartedNs) / 1e6, behind,
            caughtUp ? "" : ", NOT caught up");
    }

    /** Waits (at most 20 s) until {@code n} applied {@code commit}; returns whether it did. */
    private static boolean awaitCaughtUp(BenchNode n, long commit) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (n.agent.status().appliedIndex() < commit) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    private BenchNode nodeOf(RaftAgent a) {
        for (int id = 1; id < nodes.length; id++) {
            if (nodes[id].agent == a) {
                return nodes[id];
            }
        }
        throw new IllegalStateException("leader agent not found");
    }

    private static long processCpuNs() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
            .getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    /** CPU time of live threads, summed by name prefix (digits and what follows stripped). */
    private static java.util.Map<String, Long> threadCpuNs() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (ti != null) {
                long ns = mx.getThreadCpuTime(ti.getThreadId());
                String group = ti.getThreadName().replaceAll("-?[0-9].*$", "");
                out.merge(group.isEmpty() ? "other" : group, Math.max(0, ns), Long::sum);
            }
        }
        return out;
    }

    private void report(double commitsPerSecond) {
        LatencyRecorder.Snapshot l = latency.snapshot();
        System.out.printf(Locale.ROOT, "RESULT mode=raft nodes=%d size=%d commits_s=%.0f p50_us=%d p99_us=%d%n",
            opt.nodes, opt.size, commitsPerSecond, l.quantileNanos(0.50) / 1_000, l.quantileNanos(0.99) / 1_000);
        System.err.printf(Locale.ROOT,
            "info: durability=%s clients=%d inflight=%d failed_proposals=%d cpu_us_per_commit=%.1f (all nodes)%n",
            opt.durability, opt.clients, opt.inflight, failed.get(), cpuUsPerCommit);
        long misses = 0;
        for (int id = 1; id < nodes.length; id++) {
            misses += nodes[id].entriesReadFromLog();
        }
        StringBuilder threads = new StringBuilder("info: cpu_us_per_commit by thread:");
        threadCpuUsPerCommit.forEach((k, v) -> {
            if (v >= 0.05) {
                threads.append(String.format(Locale.ROOT, " %s=%.1f", k, v));
            }
        });
        System.err.println(threads);
        System.err.printf(Locale.ROOT, "info: entries read back from commit logs (tail cache misses)=%d%n", misses);
        if (opt.killEveryNs <= 0) {
            return;
        }
        List<long[]> f;
        synchronized (failovers) {
            f = new ArrayList<>(failovers);
        }
        f.sort(Comparator.comparingLong(x -> x[0]));
        long p50 = f.isEmpty() ? 0 : f.get((f.size() - 1) / 2)[0];
        long max = f.isEmpty() ? 0 : f.get(f.size() - 1)[0];
        double terms = f.stream().mapToLong(x -> x[1]).average().orElse(0);
        System.out.printf(Locale.ROOT,
            "RESULT mode=raft-failover kills=%d election_ms_p50=%.1f election_ms_max=%.1f terms_per_failover=%.2f%n",
            f.size(), p50 / 1e6, max / 1e6, terms);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Command-line options (picocli), checked once by {@link #parse}; a bad value names the flag. */
    @Command(name = "raftmq-bench raft", description = "N Raft nodes over loopback TCP; prints RESULT lines.")
    static final class Options {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
        boolean help;
        @Option(names = "--nodes", description = "Raft nodes, 1..9 (default ${DEFAULT-VALUE})")
        int nodes = 3;
        @Option(names = "--size", description = "entry payload bytes (default ${DEFAULT-VALUE})")
        int size = 1024;
        @Option(names = "--seconds", description = "measured seconds (default ${DEFAULT-VALUE})")
        int seconds = 20;
        @Option(names = "--clients", description = "proposing threads (default ${DEFAULT-VALUE})")
        int clients = 4;
        @Option(names = "--inflight", description = "proposals in flight (default ${DEFAULT-VALUE})")
        int inflight = 4096;
        @Option(names = "--rate", description = "proposals per second, 0 = unlimited (default ${DEFAULT-VALUE})")
        int rate;
        @Option(names = "--durability", converter = DurabilityConverter.class,
            description = "quorum-fsync or quorum-memory (default quorum-fsync)")
        DurabilityMode durability = DurabilityMode.QUORUM_FSYNC;
        @Option(names = "--kill-leader-every", paramLabel = "S",
            description = "kill the leader every S seconds (decimals allowed; default 0 = off)")
        double killEverySeconds;
        @Option(names = "--dir", description = "keep the nodes' files here (default: a temp dir, deleted)")
        Path dir;
        @Option(names = "--tail-cache", description = "entries kept by reference per node (default ${DEFAULT-VALUE})")
        int tailCache = 8192;
        @Option(names = "--warmup", description = "unmeasured seconds first (default min(5, max(1, seconds/4)))")
        int warmupSeconds = -1;
        long killEveryNs;

        static Options parse(String... args) {
            Options o = new Options();
            CommandLine cl = new CommandLine(o);
            cl.parseArgs(args);
            if (o.help) {
                return o;
            }
            require(cl, Double.isFinite(o.killEverySeconds) && o.killEverySeconds >= 0
                && o.killEverySeconds <= 86_400, "--kill-leader-every must be in [0, 86400] seconds");
            o.killEveryNs = Math.round(o.killEverySeconds * 1e9);
            if (o.warmupSeconds < 0) {
                o.warmupSeconds = Math.min(WARMUP_SECONDS_DEFAULT, Math.max(1, o.seconds / 4));
            }
            require(cl, o.nodes >= 1 && o.nodes <= 9, "--nodes must be in [1, 9]");
            require(cl, o.size >= 0 && o.size <= 1 << 20, "--size must be in [0, 1048576] bytes");
            require(cl, o.seconds >= 1, "--seconds must be >= 1");
            require(cl, o.clients >= 1, "--clients must be >= 1");
            require(cl, o.inflight >= 1, "--inflight must be >= 1");
            require(cl, o.rate >= 0 && o.rate <= 1_000_000_000, "--rate must be in [0 (unlimited), 1e9] proposals/s");
            require(cl, o.killEveryNs == 0 || o.killEveryNs >= KILL_EVERY_NS_MIN,
                "--kill-leader-every must be 0 (off) or >= 1 second");
            require(cl, o.killEveryNs == 0 || o.nodes >= 3, "--kill-leader-every needs --nodes >= 3");
            require(cl, o.tailCache >= 1 && o.tailCache <= 1 << 24, "--tail-cache must be in [1, 16777216]");
            return o;
        }

        private static void require(CommandLine cl, boolean ok, String message) {
            if (!ok) {
                throw new ParameterException(cl, message);
            }
        }
    }

    /** quorum-fsync / quorum-memory, as written in broker configurations. */
    static final class DurabilityConverter implements CommandLine.ITypeConverter<DurabilityMode> {
        @Override
        public DurabilityMode convert(String v) {
            return switch (v) {
                case "quorum-fsync" -> DurabilityMode.QUORUM_FSYNC;
                case "quorum-memory" -> DurabilityMode.QUORUM_MEMORY;
                default -> throw new CommandLine.TypeConversionException(
                    "expects quorum-fsync or quorum-memory, got '" + v + "'");
            };
        }
    }
}
