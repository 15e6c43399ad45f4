package io.raftmq.tools.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the bench reads CPU ticks and RSS from fixed {@code /proc} texts as drawn (a command name with spaces and
 * parentheses does not shift the fields), finds only the members whose pid files point at a running broker, and
 * prints the golden RESULT line from two samples. Method: a fixture directory standing in for {@code /proc}.
 */
class ProcessMeterTest {
    /** A real-shaped stat line: utime 1234 (field 14), stime 567 (field 15), rss pages 9999 (field 24). */
    private static final String STAT = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 51234 0 12 0 1234 567 0 0 20 0"
        + " 40 0 98765 3012345678 9999 18446744073709551615 1 1 0 0 0 0 0 4096 16796879 0 0 0 17 1 0 0 0 0 0";

    @TempDir
    Path dir;

    @Test
    void statAndStatusFieldsAreParsedAsDrawn() {
        assertThat(ProcessMeter.cpuTicks(STAT)).isEqualTo(1234 + 567);
        assertThat(ProcessMeter.rssKb("Name:\tjava\nVmPeak:\t  900000 kB\nVmRSS:\t  204800 kB\nThreads:\t40\n"))
            .isEqualTo(204800);
        assertThat(ProcessMeter.rssKb("Name:\tzombie\n")).isEqualTo(-1);
        assertThatThrownBy(() -> ProcessMeter.cpuTicks("garbage")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcessMeter.cpuTicks("1 (x) S 1 2")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("short");
    }

    @Test
    void findsTheRunningMembersAndPrintsTheGoldenLine() throws IOException {
        Path proc = dir.resolve("proc");
        Path cluster = dir.resolve("cluster");
        Files.createDirectories(cluster.resolve("pids"));
        process(proc, 101, "java\0-cp\0x\0io.raftmq.broker.BrokerMain\0-c\0n0.properties\0", 1000, 300 * 1024);
        process(proc, 102, "java\0io.raftmq.broker.BrokerMain\0", 500, 200 * 1024);
        process(proc, 103, "sleep\0100\0", 1, 1); // a recycled pid: not a broker
        Files.writeString(cluster.resolve("pids/n0.pid"), "101\n");
        Files.writeString(cluster.resolve("pids/n1.pid"), "102\n");
        Files.writeString(cluster.resolve("pids/n2.pid"), "103\n");
        Files.writeString(cluster.resolve("pids/naming.pid"), "101\n");
        Files.writeString(cluster.resolve("pids/n3.pid"), "777\n"); // gone

        Map<String, Long> pids = ProcessMeter.brokerPids(cluster, proc);
        assertThat(pids).containsExactly(Map.entry("n0", 101L), Map.entry("n1", 102L));
        Map<String, Long> all = new LinkedHashMap<>(pids);
        all.put("client", 103L);
        ProcessMeter meter = new ProcessMeter(all, proc, 100);
        ProcessMeter.Sample from = meter.sample();
        process(proc, 101, "java\0io.raftmq.broker.BrokerMain\0", 1000 + 250, 310 * 1024); // +2.5 s of CPU
        process(proc, 102, "java\0io.raftmq.broker.BrokerMain\0", 500 + 100, 201 * 1024);
        process(proc, 103, "sleep\0", 1 + 400, 512);
        ProcessMeter.Sample to = meter.sample();
        assertThat(meter.report(from, to, 50_000, 28_000_000_000L)).isEqualTo("RESULT mode=client-cpu msgs=50000"
            + " window_s=28.0 n0_cpu_us=50.0 n1_cpu_us=20.0 brokers_cpu_us=70.0 client_cpu_us=80.0"
            + " n0_rss_mb=310.0 n1_rss_mb=201.0 client_rss_mb=0.5");

        Files.delete(proc.resolve("102/stat"));
        Files.delete(proc.resolve("102/status"));
        assertThat(meter.report(from, meter.sample(), 50_000, 28_000_000_000L))
            .contains("n1_cpu_us=n/a brokers_cpu_us=n/a").contains("n1_rss_mb=n/a");
        assertThatThrownBy(() -> ProcessMeter.brokerPids(dir.resolve("nothing"), proc))
            .isInstanceOf(IOException.class).hasMessageContaining("no pids directory");
    }

    /** Writes /proc/PID/{cmdline,stat,status} with {@code ticks} split 3:1 over utime and stime. */
    private static void process(Path proc, long pid, String cmdline, long ticks, long rssKb) throws IOException {
        Path d = proc.resolve(Long.toString(pid));
        Files.createDirectories(d);
        Files.writeString(d.resolve("cmdline"), cmdline);
        long utime = ticks * 3 / 4;
        Files.writeString(d.resolve("stat"), pid + " (java) S 1 1 1 0 -1 0 0 0 0 0 " + utime + " " + (ticks - utime)
            + " 0 0 20 0 40 0 1 1 1 0 0\n");
        Files.writeString(d.resolve("status"), "Name:\tjava\nVmRSS:\t" + rssKb + " kB\n");
    }
}
