package io.raftmq.tools.bench.raft;

import io.raftmq.raft.driver.AgentStats;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.tools.bench.LiveProgress;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Main class of {@code bin/raftmq-bench raft} (a benchmark tool, not a test): it runs one measurement of a Raft group
 * in this JVM, from the flags ({@link RaftBenchOptions}) to the printed report ({@link RaftBenchReport}), owning the
 * run's timeline: start the group ({@link BenchCluster}), wait for a leader, start the load
 * ({@link ProposalLoad}) and, with {@code --kill-leader-every}, the failover driver ({@link LeaderKiller}), warm up,
 * measure commits and CPU ({@link CpuMeter}) for {@code --seconds}, stop, report, stop the nodes.
 *
 * <p>The group: N nodes over real loopback TCP (127.0.0.1, 127.0.0.2, ...), each with a file-backed commit log (via
 * CommitLogRaftLog) in a temp dir, and several client threads proposing fixed-size entries to the leader with a
 * bounded number in flight. Prints
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
 * [--kill-leader-every S [--kill-follower]] [--dir PATH] [--tail-cache ENTRIES]}
 * (S may be a decimal number of seconds). A bad flag or value prints one line and exits with status 2.
 */
public final class RaftBench {
    private static final long FIRST_LEADER_TIMEOUT_MS = 30_000;
    private final RaftBenchOptions opt;
    private final BenchCluster cluster;
    private final ProposalLoad load;

    private RaftBench(RaftBenchOptions opt) {
        this.opt = opt;
        this.cluster = new BenchCluster(opt.nodes, opt.durability, opt.tailCache, (long) opt.segmentMib << 20);
        this.load = new ProposalLoad(cluster, opt);
    }

    public static void main(String[] args) throws Exception {
        RaftBenchOptions opt;
        try {
            opt = RaftBenchOptions.parse(args);
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
        cluster.start(root);
        cluster.awaitLeader(Long.MIN_VALUE, FIRST_LEADER_TIMEOUT_MS);
        load.start();
        long startNs = System.nanoTime();
        long warmupNs = TimeUnit.SECONDS.toNanos(opt.warmupSeconds);
        long measureFromNs = startNs + warmupNs;
        load.measureFrom(measureFromNs);
        long endNs = startNs + warmupNs + TimeUnit.SECONDS.toNanos(opt.seconds);
        LeaderKiller killer = opt.killEveryNs > 0
            ? LeaderKiller.start(cluster, opt.killEveryNs, endNs, opt.killFollower) : null;
        while (System.nanoTime() < measureFromNs) {
            LockSupport.parkNanos(1_000_000);
        }
        long committedAtStart = load.committed();
        CpuMeter cpuMeter = CpuMeter.start();
        try (LiveProgress live = LiveProgress.start("commit", load::committed)) {
            while (System.nanoTime() < endNs) {
                LockSupport.parkNanos(10_000_000);
            }
        }
        long commits = load.committed() - committedAtStart;
        CpuMeter.CpuPerCommit cpu = cpuMeter.perCommit(commits);
        double seconds = (System.nanoTime() - measureFromNs) / 1e9;
        load.stop();
        if (killer != null) {
            killer.stop();
        }
        load.join();
        if (killer != null) {
            killer.join();
        }
        RaftBenchReport.print(opt, commits / seconds, load.latency(), load.failed(), cpu,
            cluster.entriesReadFromLogs(), killer == null ? null : killer.failovers());
        printLeaderStats(cluster.leader());
        cluster.stop();
    }

    /** Batching and syncs of the leader since it started (warm-up included): entries per AppendEntries. */
    private static void printLeaderStats(RaftAgent leader) {
        if (leader == null) {
            return;
        }
        AgentStats s = leader.stats();
        System.err.printf(Locale.ROOT, "info: leader appends_sent=%d entries_per_append=%.1f log_syncs=%d"
            + " sync_us_mean=%.0f%n", s.appendsSent(), s.entriesPerAppend(), s.logSyncs(),
            s.logSyncs() == 0 ? 0.0 : s.logSyncNanos() / 1000.0 / s.logSyncs());
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
