package io.raftmq.tools.bench.raft;

import io.raftmq.raft.driver.DurabilityMode;
import io.raftmq.tools.bench.LatencyRecorder;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The output of one {@link RaftBench} run, as docs/benchmarks.md ("Raft") describes it: the
 * {@code RESULT mode=raft ...} line and, with kills, the {@code RESULT mode=raft-failover ...} line on stdout; the
 * {@code info:} diagnostics (failed proposals, CPU per commit in all and by thread group, tail cache misses) on
 * stderr. The lines are built by pure functions.
 */
final class RaftBenchReport {
    /** Thread groups below this many CPU microseconds per commit are left out of the by-thread line. */
    private static final double THREAD_US_PER_COMMIT_MIN = 0.05;

    private RaftBenchReport() {
    }

    /**
     * Prints every line of a run's report.
     *
     * @param failovers null when the run killed no leader (no failover line), else the failovers in kill order
     */
    static void print(RaftBenchOptions opt, double commitsPerSecond, LatencyRecorder.Snapshot latency,
                      long failedProposals, CpuMeter.CpuPerCommit cpu, long tailCacheMisses,
                      List<LeaderKiller.Failover> failovers) {
        System.out.println(resultLine(opt.nodes, opt.size, commitsPerSecond, latency));
        System.err.println(loadLine(opt.durability, opt.clients, opt.inflight, failedProposals, cpu.allUs()));
        System.err.println(threadsLine(cpu.byThreadUs()));
        System.err.printf(Locale.ROOT, "info: entries read back from commit logs (tail cache misses)=%d%n",
            tailCacheMisses);
        if (failovers != null) {
            System.out.println(failoverLine(failovers));
        }
    }

    static String resultLine(int nodes, int size, double commitsPerSecond, LatencyRecorder.Snapshot l) {
        return String.format(Locale.ROOT, "RESULT mode=raft nodes=%d size=%d commits_s=%.0f p50_us=%d p99_us=%d",
            nodes, size, commitsPerSecond, l.quantileNanos(0.50) / 1_000, l.quantileNanos(0.99) / 1_000);
    }

    static String loadLine(DurabilityMode durability, int clients, int inflight, long failed, double cpuUsPerCommit) {
        return String.format(Locale.ROOT,
            "info: durability=%s clients=%d inflight=%d failed_proposals=%d cpu_us_per_commit=%.1f (all nodes)",
            durability, clients, inflight, failed, cpuUsPerCommit);
    }

    /** The by-thread-group CPU line, groups in the map's order. */
    static String threadsLine(Map<String, Double> usPerCommitByThread) {
        StringBuilder threads = new StringBuilder("info: cpu_us_per_commit by thread:");
        usPerCommitByThread.forEach((k, v) -> {
            if (v >= THREAD_US_PER_COMMIT_MIN) {
                threads.append(String.format(Locale.ROOT, " %s=%.1f", k, v));
            }
        });
        return threads.toString();
    }

    /**
     * Kills, median and maximum election, restart and catch-up times, mean terms per failover (zeros without kills).
     * A catch-up that did not finish counts as the longest (and is named by {@code catchup_missed}).
     */
    static String failoverLine(List<LeaderKiller.Failover> failovers) {
        long[] election = failovers.stream().mapToLong(LeaderKiller.Failover::electionNs).sorted().toArray();
        long[] restart = failovers.stream().mapToLong(LeaderKiller.Failover::restartNs).sorted().toArray();
        long[] catchup = failovers.stream().mapToLong(f -> f.catchupNs() < 0 ? Long.MAX_VALUE : f.catchupNs())
            .sorted().toArray();
        long missed = failovers.stream().filter(f -> f.catchupNs() < 0).count();
        double terms = failovers.stream().mapToLong(LeaderKiller.Failover::terms).average().orElse(0);
        return String.format(Locale.ROOT,
            "RESULT mode=raft-failover kills=%d election_ms_p50=%.1f election_ms_max=%.1f terms_per_failover=%.2f"
                + " restart_ms_p50=%.1f restart_ms_max=%.1f catchup_ms_p50=%s catchup_ms_max=%s%s",
            failovers.size(), median(election) / 1e6, max(election) / 1e6, terms, median(restart) / 1e6,
            max(restart) / 1e6, ms(median(catchup)), ms(max(catchup)),
            missed == 0 ? "" : " catchup_missed=" + missed);
    }

    /** Milliseconds with one decimal, "inf" for a catch-up that did not finish. */
    private static String ms(long ns) {
        return ns == Long.MAX_VALUE ? "inf" : String.format(Locale.ROOT, "%.1f", ns / 1e6);
    }

    /** The lower median of sorted values (0 if none). */
    private static long median(long[] sorted) {
        return sorted.length == 0 ? 0 : sorted[(sorted.length - 1) / 2];
    }

    private static long max(long[] sorted) {
        return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
    }
}
