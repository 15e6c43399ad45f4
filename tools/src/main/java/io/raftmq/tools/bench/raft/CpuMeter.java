package io.raftmq.tools.bench.raft;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * CPU time per commit over the measured window, for the whole process (all nodes share the JVM) and split by
 * thread group: the thread name with its first digit and what follows stripped ({@code raft-agent-3} and
 * {@code raft-agent-1} are {@code raft-agent}). {@link #start} samples at the window's start, {@link #perCommit}
 * at its end; threads that died in between are not counted.
 */
final class CpuMeter {
    private final long processNsAtStart;
    private final Map<String, Long> threadsNsAtStart;

    /**
     * CPU microseconds per commit.
     *
     * @param allUs      the whole process
     * @param byThreadUs by thread group, sorted by name
     */
    record CpuPerCommit(double allUs, SortedMap<String, Double> byThreadUs) {
    }

    private CpuMeter(long processNsAtStart, Map<String, Long> threadsNsAtStart) {
        this.processNsAtStart = processNsAtStart;
        this.threadsNsAtStart = threadsNsAtStart;
    }

    static CpuMeter start() {
        return new CpuMeter(processCpuNs(), threadCpuNs());
    }

    /** The CPU used since {@link #start}, divided by {@code commits} (at least 1). */
    CpuPerCommit perCommit(long commits) {
        double allUs = (processCpuNs() - processNsAtStart) / 1e3 / Math.max(1, commits);
        SortedMap<String, Double> byThread = new TreeMap<>();
        for (Map.Entry<String, Long> e : threadCpuNs().entrySet()) {
            long delta = e.getValue() - threadsNsAtStart.getOrDefault(e.getKey(), 0L);
            byThread.put(e.getKey(), delta / 1e3 / Math.max(1, commits));
        }
        return new CpuPerCommit(allUs, byThread);
    }

    private static long processCpuNs() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    /** CPU time of live threads, summed by thread group. */
    private static Map<String, Long> threadCpuNs() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new HashMap<>();
        for (ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (ti != null) {
                long ns = mx.getThreadCpuTime(ti.getThreadId());
                out.merge(threadGroup(ti.getThreadName()), Math.max(0, ns), Long::sum);
            }
        }
        return out;
    }

    /** The group of a thread name: digits and what follows stripped (with a dash before them); "other" if empty. */
    static String threadGroup(String threadName) {
        String group = threadName.replaceAll("-?[0-9].*$", "");
        return group.isEmpty() ? "other" : group;
    }
}
