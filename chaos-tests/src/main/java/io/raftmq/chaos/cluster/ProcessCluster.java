package io.raftmq.chaos.cluster;

import io.raftmq.chaos.fault.proxy.LinkProxies;
import io.raftmq.client.Verify;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real RaftMQ cluster as separate JVMs, for chaos tests: one NameServer on its own loopback address
 * {@value #NAMESRV_HOST} and the members of one broker group, member {@code i} (id {@code n<i>}) on its own loopback
 * address {@code 127.0.0.<i+2>} (its raft connections leave from that address too), all on free ports, with data,
 * config and log under
 * {@link ClusterOptions#dataDir()}:
 * <pre>
 *  dataDir/naming.log                     NameServer output
 *  dataDir/n0/broker.properties, n0.log   member n0's config and output (appended across restarts)
 *  dataDir/n0/data/                       member n0's storePathRootDir
 * </pre>
 * Faults: {@link #kill} (SIGKILL by pid, then waits until the process is gone), {@link #restart}, {@link #pause}
 * and {@link #resume} (SIGSTOP, SIGCONT), {@link #wipe} (data directory deleted, restarts repairing). Growth:
 * {@link #join} starts a fresh member on the next loopback address that joins the running group
 * ({@code raftJoinExisting=true}; the operator then adds it with {@code bin/raftmq-admin raft add-member}). Queries
 * over our own remoting client ({@link ClusterQueries}): the route's brokerId 0 ({@link #routedLeader}), a member's
 * raft role ({@link #role}), a leadership transfer.
 *
 * <p>127.0.0.1 holds no process of the cluster: it is where connections that bind nothing leave from (the test's
 * clients, the members' remoting clients), so iptables rules between member addresses or on the NameServer's never
 * cut the test off the cluster.
 *
 * <p>Several broker groups (docs/chaos.md "Several broker groups"): {@link #addGroup} starts a further group behind
 * this cluster's NameServer, in the same brokerClusterName, its own ProcessCluster with its own members on the
 * loopback addresses {@code 127.0.0.<10g+i+2>} (g = 1 for the first added group), data under
 * {@code dataDir/<brokerName>/}. Each group's handles, queries and {@link #routedLeader} are its own.
 *
 * <p>It ends only the processes it started, by their handles: {@link #close} kills them all, and a JVM shutdown
 * hook does the same if the test JVM exits first. Not thread-safe except {@link #routedLeader} and {@link #role}.
 */
public final class ProcessCluster implements AutoCloseable {
    /** The NameServer's loopback address: apart from every member and from 127.0.0.1. */
    public static final String NAMESRV_HOST = "127.0.0.250";
    private static final Logger LOG = LoggerFactory.getLogger(ProcessCluster.class);
    private static final long EXIT_WAIT_MS = 10_000;
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ClusterOptions options;
    private final List<Member> members = new ArrayList<>();
    private final Thread reaper = new Thread(this::killAll, "process-cluster-reaper");
    private final ClusterQueries queries;
    private final List<String> raftPeers = new ArrayList<>();
    private final List<String> brokerPeers = new ArrayList<>();
    private String namesrvAddr;
    private Process naming;
    /** 0 for the cluster that runs the NameServer, g for the g-th group added to it (its members' addresses). */
    private final int groupIndex;
    private final List<ProcessCluster> added = new ArrayList<>();

    /** One broker process slot: fixed address, ports and directories; the process changes across restarts. */
    public static final class Member {
        private final int index;
        private final String host;
        private final int listenPort;
        private final int raftPort;
        private final Path dir;
        private volatile Process process;
        private volatile boolean paused;
        private volatile Map<String, String> environment = Map.of();

        Member(int index, String host, int listenPort, int raftPort, Path dir) {
            this.index = index;
            this.host = host;
            this.listenPort = listenPort;
            this.raftPort = raftPort;
            this.dir = dir;
        }

        /** Raft id of this member: n0, n1, ... */
        public String id() {
            return "n" + index;
        }

        public int index() {
            return index;
        }

        /** Raft node id: index + 1 (what {@code bin/raftmq-admin raft ... --node-id} takes). */
        public long nodeId() {
            return index + 1L;
        }

        /** Raft transport address {@code host:port}. */
        public String raftAddr() {
            return host + ":" + raftPort;
        }

        /** Its storePathRootDir. */
        public Path dataDir() {
            return dir.resolve("data");
        }

        /** Client-facing address, as routed by the NameServer. */
        public String brokerAddr() {
            return host + ":" + listenPort;
        }

        /** Pid of the current process, or -1 if none is running. */
        public long pid() {
            Process p = process;
            return p != null && p.isAlive() ? p.pid() : -1;
        }

        public boolean isAlive() {
            Process p = process;
            return p != null && p.isAlive();
        }

        /** Whether its process is stopped by {@link ProcessCluster#pause} (SIGSTOP) and not resumed yet. */
        public boolean isPaused() {
            return paused && isAlive();
        }

        Path log() {
            return dir.resolve(id() + ".log");
        }
    }

    public ProcessCluster(ClusterOptions options) {
        this(options, null, 0);
    }

    private ProcessCluster(ClusterOptions options, String sharedNamesrv, int groupIndex) {
        this.options = options;
        this.queries = new ClusterQueries(options.brokerName());
        this.namesrvAddr = sharedNamesrv;
        this.groupIndex = groupIndex;
    }

    /**
     * Starts a further broker group {@code brokerName} of as many members, with these options otherwise, behind this
     * (started) cluster's NameServer, and waits until it routes its leader. The new group is closed with this
     * cluster, or earlier by its own {@link #close}.
     */
    public ProcessCluster addGroup(String brokerName) throws IOException {
        Verify.state(naming != null, "cluster not started (or itself an added group)");
        Verify.state(added.size() < 20, "too many groups");
        ProcessCluster g = new ProcessCluster(options.forGroup(brokerName,
            options.dataDir().resolve(brokerName)), namesrvAddr, added.size() + 1);
        added.add(g);
        g.start();
        return g;
    }

    /** The groups {@link #addGroup} started, in order. */
    public List<ProcessCluster> addedGroups() {
        return List.copyOf(added);
    }

    /** This group's options (broker name, data directory...). */
    public ClusterOptions options() {
        return options;
    }

    /**
     * Starts the NameServer and every member at once and waits until a leader is routed as brokerId 0.
     *
     * @return the routed leader
     * @throws IOException          a process cannot be started or its files written
     * @throws IllegalStateException no leader was routed within {@link ClusterOptions#startTimeoutMs()}
     */
    public Member start() throws IOException {
        Verify.state(naming == null && members.isEmpty(), "cluster already started");
        Runtime.getRuntime().addShutdownHook(reaper);
        Files.createDirectories(options.dataDir());
        boolean ownNameServer = namesrvAddr == null;
        if (ownNameServer) {
            namesrvAddr = NAMESRV_HOST + ":" + OsProcesses.freePort(NAMESRV_HOST, -1);
        }
        queries.start(namesrvAddr);
        for (int i = 0; i < options.members(); i++) {
            newMember();
        }
        startProxies();
        if (ownNameServer) {
            naming = spawn("io.raftmq.naming.NamingMain", List.of("--listen", namesrvAddr),
                options.dataDir().resolve("naming.log"), Map.of());
        }
        for (Member m : members) {
            writeConfig(m, raftPeersOf(m), String.join(";", brokerPeers), "");
            startMember(m);
        }
        return awaitRoutedLeader(null, options.startTimeoutMs());
    }

    /** A new member slot on the next loopback address, with free ports, added to the peer lists. */
    private Member newMember() throws IOException {
        int i = members.size();
        // a group's members keep to their own ten addresses once there are several groups
        Verify.state(i < (groupIndex > 0 || !added.isEmpty() ? 10 : 240), "too many members");
        String host = "127.0.0." + (10 * groupIndex + i + 2);
        int listen = OsProcesses.freePort(host, -1);
        Member m = new Member(i, host, listen, OsProcesses.freePort(host, listen), options.dataDir().resolve("n" + i));
        members.add(m);
        raftPeers.add(m.id() + "-" + m.raftAddr());
        brokerPeers.add(m.id() + "-" + m.brokerAddr());
        return m;
    }

    /**
     * Starts a fresh member (empty data, next loopback address) that joins the running group: its {@code raftPeers}
     * and {@code brokerPeers} list every member so far plus itself, with {@code raftJoinExisting=true}, so it only
     * listens until the leader adds it. The other members' settings are not rewritten.
     */
    public Member join() throws IOException {
        Verify.state(naming != null, "cluster not started");
        Verify.state(proxies == null, "join with raft proxies is not supported");
        Member m = newMember();
        writeConfig(m, String.join(";", raftPeers), String.join(";", brokerPeers), "raftJoinExisting=true\n");
        startMember(m);
        return m;
    }

    private void writeConfig(Member m, String raftPeers, String brokerPeers, String extra) throws IOException {
        Files.createDirectories(m.dir);
        String conf = String.join("\n",
            "brokerClusterName=ChaosCluster",
            "brokerName=" + options.brokerName(),
            "listenHost=" + m.host,
            "listenPort=" + m.listenPort,
            "storePathRootDir=" + m.dir.resolve("data"),
            "namesrvAddr=" + namesrvAddr,
            "raftPeers=" + raftPeers,
            "brokerPeers=" + brokerPeers,
            "raftSelfId=" + m.id(),
            "raftTickMs=10",
            "raftHeartbeatIntervalMs=50",
            "raftElectionTimeoutMs=" + options.raftElectionTimeoutMs(),
            "commitLogSegmentBytes=" + (64 << 20),
            "") + extraProperties() + extra;
        Files.writeString(m.dir.resolve("broker.properties"), conf, StandardCharsets.UTF_8);
    }

    private String extraProperties() {
        StringBuilder b = new StringBuilder();
        options.brokerProperties().forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        return b.toString();
    }

    private void startMember(Member m) throws IOException {
        m.process = spawn("io.raftmq.broker.BrokerMain", List.of("-c", m.dir.resolve("broker.properties").toString()),
            m.log(), m.environment);
        LOG.info("started member {} at {} (pid {})", m.id(), m.brokerAddr(), m.process.pid());
    }

    private Process spawn(String mainClass, List<String> args, Path log, Map<String, String> own) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(options.jvmArgs());
        cmd.add("-Draftmq.chaos.dir=" + options.dataDir());
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("CLASSPATH", options.classpath()); // long class paths stay out of argv
        pb.environment().putAll(options.environment()); // fault hooks (e.g. the power-loss fsync shim)
        pb.environment().putAll(own); // one member's own (e.g. libfaketime for a clock skew)
        return pb.start();
    }

    /** SIGKILL to the member's process (by pid), then waits until it is gone (a JVM can take ~1 s to vanish). */
    public void kill(Member m) {
        Process p = m.process;
        Verify.state(p != null && p.isAlive(), "member is not running");
        p.destroyForcibly();
        awaitExit(p);
        m.paused = false;
        LOG.info("killed member {} (pid {})", m.id(), p.pid());
    }

    /**
     * Variables added to member {@code m}'s environment from its next (re)start on, after the cluster's own
     * ({@link ClusterOptions#environment()}); an empty map removes them.
     */
    public void setEnvironment(Member m, Map<String, String> env) {
        m.environment = Map.copyOf(env);
    }

    /** Starts a stopped or killed member again with the same address, ports and data. */
    public void restart(Member m) throws IOException {
        Verify.state(!m.isAlive(), "member is still running");
        startMember(m);
    }

    // ---- Faults beyond kill and restart, for the nemeses (io.raftmq.chaos.nemesis) ----

    /** SIGSTOP to the member's process (by pid): it holds its sockets and files but runs nothing until resumed. */
    public void pause(Member m) throws IOException, InterruptedException {
        OsProcesses.signal(m.pid(), "STOP");
        m.paused = true;
        LOG.info("paused member {} (pid {})", m.id(), m.pid());
    }

    /** SIGCONT to a paused member's process. */
    public void resume(Member m) throws IOException, InterruptedException {
        OsProcesses.signal(m.pid(), "CONT");
        m.paused = false;
        LOG.info("resumed member {} (pid {})", m.id(), m.pid());
    }

    /**
     * Deletes a stopped member's data directory and marks it a member of a running group
     * ({@code raftInitialState=existing}, appended to its config; the last value of a key wins), so that on restart
     * it repairs: it votes again only once it caught up with the leader (docs/raft-driver.md, "Repair").
     */
    public void wipe(Member m) throws IOException {
        Verify.state(!m.isAlive(), "member " + m.id() + " is still running");
        OsProcesses.deleteTree(m.dataDir());
        Path conf = m.dir.resolve("broker.properties");
        if (!Files.readString(conf, StandardCharsets.UTF_8).contains("raftInitialState=existing")) {
            Files.writeString(conf, "raftInitialState=existing\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
        LOG.info("wiped the data directory of member {}", m.id());
    }

    /**
     * Waits until the NameServer routes a brokerId 0 other than {@code notAddr} (null: any) for the group.
     *
     * @throws IllegalStateException none within {@code timeoutMs}
     */
    public Member awaitRoutedLeader(String notAddr, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() - deadline < 0) {
            String addr = routedLeader();
            if (addr != null && !addr.equals(notAddr)) {
                Member m = memberAt(addr);
                Verify.state(m != null, "routed leader is not a member: " + addr);
                return m;
            }
            LockSupport.parkNanos(POLL_NS);
        }
        throw new IllegalStateException("no leader routed within " + timeoutMs + " ms; logs under "
            + options.dataDir());
    }

    /** The address the NameServer routes as brokerId 0 of the group, or null. Any thread. */
    public String routedLeader() {
        return queries.routedLeader();
    }

    /** The member's raft role ("LEADER", "FOLLOWER", ...) from its runtime info, or "DOWN". Any thread. */
    public String role(Member m) {
        return queries.role(m.brokerAddr());
    }

    /** The runtime info table of the member at {@code brokerAddr}, or null (see {@link ClusterQueries}). */
    public Map<String, String> runtimeInfo(String brokerAddr) {
        return queries.runtimeInfo(brokerAddr);
    }

    /** The remoting queries against this cluster (route, runtime info, leadership transfer). Any thread. */
    public ClusterQueries queries() {
        return queries;
    }

    /** The member whose client address is {@code addr}, or null. */
    public Member memberAt(String addr) {
        for (Member m : members) {
            if (m.brokerAddr().equals(addr)) {
                return m;
            }
        }
        return null;
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    public String namesrvAddr() {
        return namesrvAddr;
    }

    /** The last {@code lines} lines of every process's log (for a failure report). */
    public String logTails(int lines) {
        StringBuilder b = new StringBuilder();
        List<Path> logs = new ArrayList<>();
        if (groupIndex == 0) {
            logs.add(options.dataDir().resolve("naming.log"));
        }
        members.forEach(m -> logs.add(m.log()));
        for (Path log : logs) {
            b.append("==== ").append(log).append('\n');
            try {
                List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> b.append(l).append('\n'));
            } catch (IOException | UncheckedIOException e) {
                b.append("(unreadable: ").append(e).append(")\n");
            }
        }
        return b.toString();
    }

    /** Kills every process this cluster started and stops the query client. Idempotent. */
    @Override
    public void close() {
        added.forEach(ProcessCluster::close);
        killAll();
        if (proxies != null) {
            proxies.close();
        }
        queries.close();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("shutdown hook not removed: {}", e.toString()); // JVM exiting, or never started
        }
    }

    private void killAll() {
        List<Process> ps = new ArrayList<>();
        for (Member m : members) {
            if (m.process != null) {
                ps.add(m.process);
            }
        }
        if (naming != null) {
            ps.add(naming);
        }
        ps.forEach(Process::destroyForcibly);
        ps.forEach(ProcessCluster::awaitExit);
    }

    private static void awaitExit(Process p) {
        try {
            Verify.state(p.waitFor(EXIT_WAIT_MS, TimeUnit.MILLISECONDS), "process " + p.pid() + " did not exit");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- Fault proxies (ClusterOptions.raftProxies): each member dials its peers through LinkProxies ----

    private LinkProxies proxies;

    private void startProxies() throws IOException {
        if (options.raftProxies() && members.size() > 1) {
            Map<String, String> addrs = new TreeMap<>();
            members.forEach(m -> addrs.put(m.id(), m.raftAddr()));
            proxies = LinkProxies.start(addrs);
        }
    }

    /** The {@code raftPeers} of member {@code m}: every member's raft address, or the proxies {@code m} dials. */
    private String raftPeersOf(Member m) {
        return proxies == null ? String.join(";", raftPeers) : proxies.raftPeersOf(m.id());
    }

    /** The fault proxies of the raft links, or null unless {@link ClusterOptions#raftProxies()}. */
    public LinkProxies proxies() {
        return proxies;
    }
}
