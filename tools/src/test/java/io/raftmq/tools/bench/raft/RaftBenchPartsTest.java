package io.raftmq.tools.bench.raft;

import io.raftmq.raft.driver.DurabilityMode;
import io.raftmq.tools.bench.LatencyRecorder;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the pieces of {@link RaftBench} that need no Raft group keep the documented flags and output
 * (docs/benchmarks.md, "Raft"). Method: the flag parser with its defaults and errors, the rate schedule, the
 * thread grouping of the CPU split and the report lines built from fixed figures.
 */
class RaftBenchPartsTest {

    @Test
    void defaultsAndDerivedValues() {
        RaftBenchOptions o = RaftBenchOptions.parse();
        assertThat(o.nodes).isEqualTo(3);
        assertThat(o.size).isEqualTo(1024);
        assertThat(o.seconds).isEqualTo(20);
        assertThat(o.clients).isEqualTo(4);
        assertThat(o.inflight).isEqualTo(4096);
        assertThat(o.rate).isZero();
        assertThat(o.durability).isEqualTo(DurabilityMode.QUORUM_FSYNC);
        assertThat(o.tailCache).isEqualTo(8192);
        assertThat(o.killEveryNs).isZero();
        assertThat(o.warmupSeconds).as("min(5, max(1, 20/4))").isEqualTo(5);
        assertThat(RaftBenchOptions.parse("--seconds", "5").warmupSeconds).isEqualTo(1);
        assertThat(RaftBenchOptions.parse("--seconds", "8", "--warmup", "0").warmupSeconds).isZero();
        RaftBenchOptions k = RaftBenchOptions.parse("--kill-leader-every", "2.5", "--durability", "quorum-memory");
        assertThat(k.killEveryNs).isEqualTo(2_500_000_000L);
        assertThat(k.durability).isEqualTo(DurabilityMode.QUORUM_MEMORY);
        assertThat(RaftBenchOptions.parse("--help").help).isTrue();
    }

    @Test
    void badValuesNameTheFlag() {
        assertThatThrownBy(() -> RaftBenchOptions.parse("--size", "1k"))
            .isInstanceOf(ParameterException.class).hasMessageContaining("--size");
        assertThatThrownBy(() -> RaftBenchOptions.parse("--nodes", "0"))
            .isInstanceOf(ParameterException.class).hasMessage("--nodes must be in [1, 9]");
        assertThatThrownBy(() -> RaftBenchOptions.parse("--kill-leader-every", "0.5"))
            .isInstanceOf(ParameterException.class).hasMessage("--kill-leader-every must be 0 (off) or >= 1 second");
        assertThatThrownBy(() -> RaftBenchOptions.parse("--kill-leader-every", "2", "--nodes", "1"))
            .isInstanceOf(ParameterException.class).hasMessage("--kill-leader-every needs --nodes >= 3");
        assertThatThrownBy(() -> RaftBenchOptions.parse("--kill-follower"))
            .isInstanceOf(ParameterException.class).hasMessage("--kill-follower needs --kill-leader-every");
        assertThat(RaftBenchOptions.parse("--kill-leader-every", "3", "--kill-follower").killFollower).isTrue();
        assertThatThrownBy(() -> RaftBenchOptions.parse("--durability", "x"))
            .isInstanceOf(ParameterException.class)
            .hasMessageContaining("expects quorum-fsync or quorum-memory, got 'x'");
        assertThatThrownBy(() -> RaftBenchOptions.parse("--rate", "-1"))
            .isInstanceOf(ParameterException.class).hasMessageContaining("--rate");
        assertThatThrownBy(() -> RaftBenchOptions.parse("--bogus"))
            .isInstanceOf(ParameterException.class).hasMessageContaining("Unknown option: '--bogus'");
    }

    @Test
    void rateSlotsAreSpacedAndALateScheduleRestartsFromNow() {
        long start = System.nanoTime();
        RatePacer p = new RatePacer(1, start); // one proposal a second: the schedule stays ahead of the clock
        assertThat(p.burstMax()).isEqualTo(1);
        long first = p.nextSlotNs(60);
        assertThat(first).as("the start slot has passed: now").isGreaterThanOrEqualTo(start);
        assertThat(p.nextSlotNs(1)).isEqualTo(first + 60_000_000_000L);
        assertThat(p.nextSlotNs(2)).isEqualTo(first + 61_000_000_000L);
        assertThat(p.nextSlotNs(1)).isEqualTo(first + 63_000_000_000L);
        assertThat(new RatePacer(2000, start).burstMax()).isEqualTo(10);
        long before = System.nanoTime();
        assertThat(new RatePacer(10, before - 5_000_000_000L).nextSlotNs(1)).as("no catch-up burst")
            .isGreaterThanOrEqualTo(before);
        assertThatThrownBy(() -> new RatePacer(0, start)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void threadsAreGroupedByNamePrefix() {
        assertThat(CpuMeter.threadGroup("bench-client-3")).isEqualTo("bench-client");
        assertThat(CpuMeter.threadGroup("raft-agent-1-x")).isEqualTo("raft-agent");
        assertThat(CpuMeter.threadGroup("Reference Handler")).isEqualTo("Reference Handler");
        assertThat(CpuMeter.threadGroup("12")).isEqualTo("other");
        CpuMeter.CpuPerCommit cpu = CpuMeter.start().perCommit(0);
        assertThat(cpu.byThreadUs()).containsKey("main");
        assertThat(cpu.allUs()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void reportLinesKeepTheirKeys() {
        LatencyRecorder r = new LatencyRecorder();
        r.recordNanos(2_000_000);
        assertThat(RaftBenchReport.resultLine(3, 1024, 1234.4, r.snapshot()))
            .matches("RESULT mode=raft nodes=3 size=1024 commits_s=1234 p50_us=\\d+ p99_us=\\d+");
        assertThat(RaftBenchReport.loadLine(DurabilityMode.QUORUM_FSYNC, 4, 4096, 7, 18.64)).isEqualTo(
            "info: durability=QUORUM_FSYNC clients=4 inflight=4096 failed_proposals=7 cpu_us_per_commit=18.6"
                + " (all nodes)");
        Map<String, Double> byThread = new TreeMap<>(Map.of("raft-io", 3.54, "main", 0.04, "bench-client", 0.8));
        assertThat(RaftBenchReport.threadsLine(byThread))
            .isEqualTo("info: cpu_us_per_commit by thread: bench-client=0.8 raft-io=3.5");
        List<LeaderKiller.Failover> f = List.of(new LeaderKiller.Failover(442_600_000, 1, 95_000_000, 80_000_000),
            new LeaderKiller.Failover(302_200_000, 2, 4_100_000_000L, 1_250_000_000L),
            new LeaderKiller.Failover(358_700_000, 1, 120_500_000, 140_300_000));
        assertThat(RaftBenchReport.failoverLine(f)).isEqualTo("RESULT mode=raft-failover kills=3 "
            + "election_ms_p50=358.7 election_ms_max=442.6 terms_per_failover=1.33"
            + " restart_ms_p50=120.5 restart_ms_max=4100.0 catchup_ms_p50=140.3 catchup_ms_max=1250.0");
        assertThat(RaftBenchReport.failoverLine(List.of(new LeaderKiller.Failover(1, 1, 1, 2_000_000),
            new LeaderKiller.Failover(1, 1, 1, -1)))).as("a catch-up that did not finish is the longest")
            .endsWith(" catchup_ms_p50=2.0 catchup_ms_max=inf catchup_missed=1");
        assertThat(RaftBenchReport.failoverLine(List.of())).isEqualTo("RESULT mode=raft-failover kills=0 "
            + "election_ms_p50=0.0 election_ms_max=0.0 terms_per_failover=0.00 restart_ms_p50=0.0 restart_ms_max=0.0"
            + " catchup_ms_p50=0.0 catchup_ms_max=0.0");
    }
}
