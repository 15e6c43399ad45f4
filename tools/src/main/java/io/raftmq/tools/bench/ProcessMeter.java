package io.raftmq.tools.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * CPU and memory of the processes a bench run loads (client and produce benches), read from Linux {@code /proc}:
 * each broker member found under a cluster directory ({@code DIR/pids/n<digits>.pid}, written by
 * {@code bin/raftmq-cluster start}; a pid counts only while its command line names
 * {@code io.raftmq.broker.BrokerMain}), or the broker pids given, and the bench JVM itself ({@code client}). The
 * bench only reads {@code /proc/<pid>/stat}, {@code status} and {@code cmdline} of those pids; it never signals
 * them.
 *
 * <p>CPU is utime + stime (fields 14 and 15 of {@code /proc/<pid>/stat}, counted after the parenthesised command
 * name, which may hold spaces) in clock ticks of {@code getconf CLK_TCK} (100 when that fails); RSS is
 * {@code VmRSS} of {@code /proc/<pid>/status}. {@link #sample} at the start and at the end of the measured
 * window; {@link #report} turns two samples into microseconds of CPU per message and the RSS at the end.
 */
public final class ProcessMeter {
    private static final long DEFAULT_CLK_TCK = 100;
    private static final String BROKER_MAIN = "io.raftmq.broker.BrokerMain";

    private final Map<String, Long> pids;
    private final Path proc;
    private final long ticksPerSecond;

    /** CPU ticks and RSS of each process at one moment; -1 where the process was gone. */
    public record Sample(Map<String, Long> cpuTicks, Map<String, Long> rssKb) {
    }

    /**
     * @param pids           name -> pid, in report order
     * @param proc           the proc file system ({@code /proc}; a directory of fixtures in tests)
     * @param ticksPerSecond clock ticks per second of the CPU fields
     */
    ProcessMeter(Map<String, Long> pids, Path proc, long ticksPerSecond) {
        this.pids = new LinkedHashMap<>(pids);
        this.proc = proc;
        this.ticksPerSecond = ticksPerSecond;
    }

    /** The members under {@code clusterDir} (may be null: none) and this JVM as {@code client}, on the real /proc. */
    public static ProcessMeter of(Path clusterDir) throws IOException {
        Map<String, Long> pids = new LinkedHashMap<>();
        Path proc = Path.of("/proc");
        if (clusterDir != null) {
            pids.putAll(brokerPids(clusterDir, proc));
        }
        pids.put("client", ProcessHandle.current().pid());
        return new ProcessMeter(pids, proc, clockTicks());
    }

    /**
     * The members of the cluster whose data directory is {@code dataDir} when it holds pid files (null or not: only
     * this JVM), and this JVM as {@code client}.
     */
    public static ProcessMeter ofDataDir(String dataDir) throws IOException {
        Path dir = dataDir == null ? null : Path.of(dataDir);
        return of(dir != null && Files.isDirectory(dir.resolve("pids")) ? dir : null);
    }

    /** The given broker processes (named {@code b0}, {@code b1}, ... in order) and this JVM as {@code client}. */
    public static ProcessMeter forPids(List<Long> brokerPids) {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (int i = 0; i < brokerPids.size(); i++) {
            pids.put("b" + i, brokerPids.get(i));
        }
        pids.put("client", ProcessHandle.current().pid());
        return new ProcessMeter(pids, Path.of("/proc"), clockTicks());
    }

    /** CPU microseconds per message of the bench JVM between the samples; -1 if unreadable. */
    public double clientUsPerMessage(Sample from, Sample to, long messages) {
        return cpuUs(from, to, "client", messages);
    }

    /** CPU microseconds per message of all broker processes together; -1 if one was gone at either sample. */
    public double brokersUsPerMessage(Sample from, Sample to, long messages) {
        double sum = 0;
        for (String name : pids.keySet()) {
            if (!name.equals("client")) {
                double us = cpuUs(from, to, name, messages);
                if (us < 0) {
                    return -1;
                }
                sum += us;
            }
        }
        return sum;
    }

    /** The machine's load averages (1, 5, 15 min) from {@code /proc/loadavg}, or "n/a". */
    public static String loadAverage() {
        String[] f = readOrEmpty(Path.of("/proc/loadavg")).trim().split(" ");
        return f.length < 3 ? "n/a" : f[0] + " " + f[1] + " " + f[2];
    }

    /**
     * The broker members {@code bin/raftmq-cluster} started under {@code clusterDir}: every {@code pids/n<digits>.pid}
     * whose process runs {@link #BROKER_MAIN}, sorted by name.
     *
     * @throws IOException no {@code pids} directory there, or no running member in it
     */
    static Map<String, Long> brokerPids(Path clusterDir, Path proc) throws IOException {
        Path dir = clusterDir.resolve("pids");
        if (!Files.isDirectory(dir)) {
            throw new IOException("no pids directory in " + clusterDir + " (start the cluster with"
                + " bin/raftmq-cluster start --data " + clusterDir + ")");
        }
        List<Path> files = new ArrayList<>();
        try (var s = Files.newDirectoryStream(dir, "n[0-9]*.pid")) {
            s.forEach(files::add);
        }
        files.sort(null);
        Map<String, Long> out = new LinkedHashMap<>();
        for (Path f : files) {
            String name = f.getFileName().toString().replace(".pid", "");
            String text = Files.readString(f).trim();
            if (!text.matches("[0-9]{1,10}")) {
                continue;
            }
            long pid = Long.parseLong(text);
            if (readOrEmpty(proc.resolve(text).resolve("cmdline")).contains(BROKER_MAIN)) {
                out.put(name, pid);
            }
        }
        if (out.isEmpty()) {
            throw new IOException("no running broker member under " + dir);
        }
        return out;
    }

    public Map<String, Long> pids() {
        return pids;
    }

    public Sample sample() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        Map<String, Long> rss = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            Path dir = proc.resolve(Long.toString(e.getValue()));
            String stat = readOrEmpty(dir.resolve("stat"));
            cpu.put(e.getKey(), stat.isEmpty() ? -1 : cpuTicks(stat));
            String status = readOrEmpty(dir.resolve("status"));
            rss.put(e.getKey(), status.isEmpty() ? -1 : rssKb(status));
        }
        return new Sample(cpu, rss);
    }

    /**
     * One line: {@code RESULT mode=client-cpu msgs=N window_s=S <name>_cpu_us=.. ... brokers_cpu_us=..
     * client_cpu_us=.. <name>_rss_mb=.. ...}: CPU microseconds per message between the samples (n/a for a process
     * gone in between) and each process's RSS at the end.
     */
    public String report(Sample from, Sample to, long messages, long windowNs) {
        StringBuilder cpu = new StringBuilder();
        StringBuilder rss = new StringBuilder();
        double brokersUs = 0;
        boolean brokers = false;
        for (String name : pids.keySet()) {
            double us = cpuUs(from, to, name, messages);
            if (!name.equals("client")) {
                cpu.append(' ').append(name).append("_cpu_us=").append(us < 0 ? "n/a" : fmt(us));
                brokersUs = brokersUs < 0 || us < 0 ? -1 : brokersUs + us;
                brokers = true;
            }
            long kb = to.rssKb().get(name);
            rss.append(' ').append(name).append("_rss_mb=").append(kb < 0 ? "n/a" : fmt(kb / 1024.0));
        }
        if (brokers) {
            cpu.append(" brokers_cpu_us=").append(brokersUs < 0 ? "n/a" : fmt(brokersUs));
        }
        if (pids.containsKey("client")) {
            double us = cpuUs(from, to, "client", messages);
            cpu.append(" client_cpu_us=").append(us < 0 ? "n/a" : fmt(us));
        }
        return String.format(Locale.ROOT, "RESULT mode=client-cpu msgs=%d window_s=%.1f", messages, windowNs / 1e9)
            + cpu + rss;
    }

    /** CPU microseconds per message of {@code name} between the samples; -1 if it was gone at either. */
    private double cpuUs(Sample from, Sample to, String name, long messages) {
        long a = from.cpuTicks().get(name);
        long b = to.cpuTicks().get(name);
        return a < 0 || b < 0 ? -1 : (b - a) * 1e6 / ticksPerSecond / Math.max(1, messages);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** utime + stime of a {@code /proc/<pid>/stat} line. */
    static long cpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc stat line: " + stat);
        }
        // after ") ": field 3 (state) is at 0, so field k is at k - 3
        String[] f = stat.substring(close + 2).trim().split(" +");
        if (f.length < 13) {
            throw new IllegalArgumentException("short /proc stat line: " + stat);
        }
        return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    }

    /** VmRSS in KiB from a {@code /proc/<pid>/status} text; -1 if absent (a zombie). */
    static long rssKb(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split(" +")[0]);
            }
        }
        return -1;
    }

    /** The file's text, or "" when the process (or the file) is gone or unreadable. */
    private static String readOrEmpty(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) { // NoSuchFileException: the process exited
            return "";
        }
    }

    /** {@code getconf CLK_TCK}, or 100 when it cannot be run. */
    static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            try (InputStream in = p.getInputStream()) {
                String out = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && out.matches("[0-9]{1,6}")) {
                    return Long.parseLong(out);
                }
            }
        } catch (IOException e) {
            return DEFAULT_CLK_TCK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return DEFAULT_CLK_TCK;
    }
}
