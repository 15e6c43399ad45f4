package io.raftmq.broker.bench;

import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.driver.DurabilityMode;
import io.raftmq.raft.driver.ProposalCallback;
import io.raftmq.raft.driver.ProposalException;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftAgentConfig;
import io.raftmq.raft.driver.RaftStatus;

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
 * on the leader, after a warm-up). With {@code --kill-leader-every S} it kills the leader abruptly every S
 * seconds (no leadership transfer; restarted from its files as a follower once a new leader commits) and also
 * prints {@code RESULT mode=raft-failover kills=.. election_ms_p50=.. election_ms_max=.. terms_per_failover=..}
 * (time from the leader's death to a new leader committing an entry).
 *
 * <p>Usage: {@code raft [--nodes 3] [--size 1024] [--seconds 20] [--clients 4] [--inflight 4096]
 * [--durability quorum-fsync|quorum-memory] [--kill-leader-every S] [--dir PATH] [--tail-cache ENTRIES]}.
 */
public final class RaftBench {
    private final Options opt;
    private final BenchNode[] nodes;
    private final LatencyHistogram latencyUs = new LatencyHistogram();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<long[]> failovers = new ArrayList<>(); // {electionNs, terms}
    private volatile long measureFromNs = Long.MAX_VALUE;
    private volatile boolean running = true;
    /** When a proposal last failed; clients back off for a millisecond after a failure (election window). */
    private volatile long lastFailureNs;
    private Thread killer;
    private double cpuUsPerCommit;

    private RaftBench(Options opt) {
        this.opt = opt;
        this.nodes = new BenchNode[opt.nodes + 1];
    }

    public static void main(String[] args) throws Exception {
        Options opt = Options.parse(args);
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
        long warmupNs = TimeUnit.MILLISECONDS.toNanos(Math.min(2_000, opt.seconds * 1000L / 5));
        measureFromNs = startNs + warmupNs;
        long endNs = startNs + warmupNs + TimeUnit.SECONDS.toNanos(opt.seconds);
        long committedAtStart = -1;
        if (opt.killEverySeconds > 0) {
            killLoop(endNs);
        }
        while (System.nanoTime() < measureFromNs) {
            LockSupport.parkNanos(1_000_000);
        }
        committedAtStart = committed.get();
        long cpuAtStartNs = processCpuNs();
        while (System.nanoTime() < endNs) {
            LockSupport.parkNanos(10_000_000);
        }
        long commits = committed.get() - committedAtStart;
        cpuUsPerCommit = (processCpuNs() - cpuAtStartNs) / 1e3 / Math.max(1, commits);
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
            if (System.nanoTime() - lastFailureNs < 1_000_000) {
                LockSupport.parkNanos(1_000_000);
                continue;
            }
            int permits = inflight.drainPermits(); // a burst per wake-up: no spinning per proposal
            if (permits == 0) {
                LockSupport.parkNanos(100_000);
                continue;
            }
            for (int i = 0; i < permits; i++) {
                a.propose(16, payload, new Timed(inflight, System.nanoTime()));
            }
        }
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
                latencyUs.record((System.nanoTime() - startNs) / 1_000);
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

    private void killLoop(long endNs) {
        killer = new Thread(() -> {
            try {
                while (running && System.nanoTime() + TimeUnit.SECONDS.toNanos(opt.killEverySeconds) < endNs) {
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(opt.killEverySeconds));
                    killLeaderOnce();
                }
            } catch (RuntimeException e) { // tool boundary: report and stop killing
                System.err.println("kill loop stopped: " + e);
            }
        }, "bench-killer");
        killer.setDaemon(true);
        killer.start();
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
        long electionNs = System.nanoTime() - deathNs;
        synchronized (failovers) {
            failovers.add(new long[] {electionNs, next.status().term() - oldTerm});
        }
        victim.start();
        victim.addPeers(nodes);
        victim.agent.start();
        awaitCaughtUp(victim, next.status().commitIndex());
    }

    private static void awaitCaughtUp(BenchNode n, long commit) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (n.agent.status().appliedIndex() < commit && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
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

    private void report(double commitsPerSecond) {
        System.out.printf(Locale.ROOT, "RESULT mode=raft nodes=%d size=%d commits_s=%.0f p50_us=%d p99_us=%d%n",
            opt.nodes, opt.size, commitsPerSecond, latencyUs.percentile(0.50), latencyUs.percentile(0.99));
        System.err.printf(Locale.ROOT,
            "info: durability=%s clients=%d inflight=%d failed_proposals=%d cpu_us_per_commit=%.1f (all nodes)%n",
            opt.durability, opt.clients, opt.inflight, failed.get(), cpuUsPerCommit);
        long misses = 0;
        for (int id = 1; id < nodes.length; id++) {
            misses += nodes[id].entriesReadFromLog();
        }
        System.err.printf(Locale.ROOT, "info: entries read back from commit logs (tail cache misses)=%d%n", misses);
        if (opt.killEverySeconds <= 0) {
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

    /** Command-line options, validated once. */
    private record Options(int nodes, int size, int seconds, int clients, int inflight, DurabilityMode durability,
                           int killEverySeconds, Path dir, int tailCache) {
        Options {
            require(nodes >= 1 && nodes <= 9, "--nodes must be in [1, 9]");
            require(size >= 0 && size <= 1 << 20, "--size must be in [0, 1 MiB]");
            require(seconds >= 1, "--seconds must be >= 1");
            require(clients >= 1, "--clients must be >= 1");
            require(inflight >= 1, "--inflight must be >= 1");
            require(killEverySeconds >= 0, "--kill-leader-every must be >= 0");
            require(tailCache >= 1, "--tail-cache must be >= 1");
        }

        static Options parse(String[] args) {
            int nodes = 3;
            int size = 1024;
            int seconds = 20;
            int clients = 4;
            int inflight = 4096;
            DurabilityMode durability = DurabilityMode.QUORUM_FSYNC;
            int kill = 0;
            Path dir = null;
            int tailCache = 8192;
            int i = args.length > 0 && args[0].equals("raft") ? 1 : 0;
            for (; i < args.length; i += 2) {
                require(i + 1 < args.length, "missing value after " + args[i]);
                String v = args[i + 1];
                switch (args[i]) {
                    case "--nodes" -> nodes = Integer.parseInt(v);
                    case "--size" -> size = Integer.parseInt(v);
                    case "--seconds" -> seconds = Integer.parseInt(v);
                    case "--clients" -> clients = Integer.parseInt(v);
                    case "--inflight" -> inflight = Integer.parseInt(v);
                    case "--durability" -> durability = DurabilityMode.valueOf(
                        v.toUpperCase(Locale.ROOT).replace('-', '_'));
                    case "--kill-leader-every" -> kill = Integer.parseInt(v);
                    case "--dir" -> dir = Path.of(v);
                    case "--tail-cache" -> tailCache = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Options(nodes, size, seconds, clients, inflight, durability, kill, dir, tailCache);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
