package io.raftmq.chaos.run;

import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.client.Verify;

import java.nio.file.Path;
import java.util.List;

/**
 * How one chaos run goes, besides its {@link Scenario}.
 *
 * @param seconds      how long the nemesis schedule runs (the workload runs from the cluster's start to its end)
 * @param seed         the seed of every choice of the run (printed; the same seed replays the same choices)
 * @param reportDir    the run's report directory (created; the cluster's directories live under it)
 * @param classpath    class path of the broker and NameServer processes
 * @param jvmArgs      their JVM flags
 * @param drainSeconds how long the consumers may take to receive every acknowledged send after the end
 * @param keepData     keep the members' data directories of a passing run (a failing run keeps them always)
 */
public record RunOptions(int seconds, long seed, Path reportDir, String classpath, List<String> jvmArgs,
                         int drainSeconds, boolean keepData) {
    public RunOptions {
        Verify.argument(seconds >= 5, "seconds must be >= 5");
        Verify.argument(reportDir != null, "reportDir is required");
        Verify.argument(classpath != null && !classpath.isBlank(), "classpath is required");
        Verify.argument(drainSeconds > 0, "drainSeconds must be > 0");
        jvmArgs = List.copyOf(jvmArgs);
    }

    /** {@code seconds} and {@code seed} into {@code reportDir}, this JVM's class path, small JVMs, 60 s drain. */
    public static RunOptions of(int seconds, long seed, Path reportDir) {
        return new RunOptions(seconds, seed, reportDir, ClusterOptions.testClasspath(), ClusterOptions.SMALL_JVM, 60,
            false);
    }
}
