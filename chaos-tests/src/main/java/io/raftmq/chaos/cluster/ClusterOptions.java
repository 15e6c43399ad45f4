package io.raftmq.chaos.cluster;

import io.raftmq.client.Verify;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How {@link ProcessCluster} starts its processes, validated once.
 *
 * @param dataDir         root of every member's data directory, config file and log (a test's temp dir)
 * @param members         voters of the broker group (member i on its own loopback address 127.0.0.{i+2})
 * @param brokerName      broker group name (= Raft group)
 * @param classpath       class path of the broker and NameServer processes ({@link #testClasspath()})
 * @param jvmArgs         JVM flags of every process (small heaps: up to 5 JVMs share 2 cores)
 * @param startTimeoutMs  how long {@link ProcessCluster#start} waits for a leader registered as brokerId 0
 * @param raftElectionTimeoutMs base election timeout of the members (ticks of 10 ms, heartbeat 50 ms)
 * @param brokerProperties further broker settings written into every member's broker.properties (e.g. short
 *                        delay levels or transaction check intervals for a test)
 * @param raftProxies     route every directed raft link through a fault proxy the harness controls
 *                        ({@link ProcessCluster#proxies()}); off by default
 * @param environment     variables added to the environment of every process (e.g. {@code LD_PRELOAD} of the fsync
 *                        shim of the power-loss fault); empty by default
 */
public record ClusterOptions(Path dataDir, int members, String brokerName, String classpath, List<String> jvmArgs,
                             long startTimeoutMs, long raftElectionTimeoutMs, Map<String, String> brokerProperties,
                             boolean raftProxies, Map<String, String> environment) {
    /** Flags of each child JVM: 128 MiB heap, serial GC, C1 only (short-lived, start-up bound). */
    public static final List<String> SMALL_JVM = List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");

    public ClusterOptions {
        Verify.argument(dataDir != null, "dataDir is required");
        Verify.argument(members >= 1 && members <= 9, "members must be in [1, 9]");
        Verify.argument(brokerName != null && !brokerName.isBlank(), "brokerName is required");
        Verify.argument(classpath != null && !classpath.isBlank(), "classpath is required");
        Verify.argument(startTimeoutMs > 0, "startTimeoutMs must be > 0");
        Verify.argument(raftElectionTimeoutMs >= 100 && raftElectionTimeoutMs % 10 == 0,
            "raftElectionTimeoutMs must be a multiple of 10 and >= 100");
        jvmArgs = List.copyOf(jvmArgs);
        brokerProperties = Map.copyOf(brokerProperties);
        environment = Map.copyOf(environment);
    }

    /** The options without fault hooks (no raft proxies, no extra environment). */
    public ClusterOptions(Path dataDir, int members, String brokerName, String classpath, List<String> jvmArgs,
                          long startTimeoutMs, long raftElectionTimeoutMs, Map<String, String> brokerProperties) {
        this(dataDir, members, brokerName, classpath, jvmArgs, startTimeoutMs, raftElectionTimeoutMs,
            brokerProperties, false, Map.of());
    }

    /** These options with every raft link through a fault proxy ({@code raftProxies}). */
    public ClusterOptions withRaftProxies() {
        return new ClusterOptions(dataDir, members, brokerName, classpath, jvmArgs, startTimeoutMs,
            raftElectionTimeoutMs, brokerProperties, true, environment);
    }

    /** These options with {@code env} added to every process's environment. */
    public ClusterOptions withEnvironment(Map<String, String> env) {
        Map<String, String> all = new TreeMap<>(environment);
        all.putAll(env);
        return new ClusterOptions(dataDir, members, brokerName, classpath, jvmArgs, startTimeoutMs,
            raftElectionTimeoutMs, brokerProperties, raftProxies, all);
    }

    /** These options for another broker group: its name and its data directory, everything else the same. */
    public ClusterOptions forGroup(String name, Path dir) {
        return new ClusterOptions(dir, members, name, classpath, jvmArgs, startTimeoutMs, raftElectionTimeoutMs,
            brokerProperties, raftProxies, environment);
    }

    /** These options with {@code props} added to every member's broker settings. */
    public ClusterOptions withBrokerProperties(Map<String, String> props) {
        Map<String, String> all = new TreeMap<>(brokerProperties);
        all.putAll(props);
        return new ClusterOptions(dataDir, members, brokerName, classpath, jvmArgs, startTimeoutMs,
            raftElectionTimeoutMs, all, raftProxies, environment);
    }

    /** Three members named "chaos-a", this JVM's test class path, small JVMs, 60 s to start, 300 ms elections. */
    public static ClusterOptions threeMembers(Path dataDir) {
        return new ClusterOptions(dataDir, 3, "chaos-a", testClasspath(), SMALL_JVM, 60_000, 300, Map.of());
    }

    /**
     * The class path of this (test) JVM: surefire puts the broker and naming modules (test-scope dependencies of
     * this module, built before it) with all their runtime libraries there, so the child processes run exactly the
     * classes of this build without a packaging step.
     */
    public static String testClasspath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }
}
