package io.raftmq.chaos.apache;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An Apache RocketMQ 5.3.3 NameServer and one broker group (a master, brokerId 0, ASYNC_MASTER, and a slave,
 * brokerId 1, replicating from it) as three JVMs, started from the official jars, for testing our SDK against the
 * real thing. The jars come from the class path file that the
 * chaos-tests build writes ({@value #CLASSPATH_RESOURCE}, resolved with RocketMQ's own dependency versions and kept
 * off the test class path). Each process has a home directory under one root, which is both its ROCKETMQ_HOME and
 * its {@code user.home} (RocketMQ writes its logs to {@code ~/logs/rocketmqlogs} and NameServer state to
 * {@code ~/namesrv}):
 * <pre>
 *  dir/namesrv/namesrv.properties, out   the NameServer's configuration (port drawn free) and output
 *  dir/master/broker.conf, out           the master's configuration and output
 *  dir/master/logs/rocketmqlogs/         its own logs (broker.log, store.log, remoting.log, ...)
 *  dir/master/store/                     its storePathRootDir (16 MiB commitlog segments)
 *  dir/slave/...                         the same for the slave
 * </pre>
 * TLS is off ({@code tls.server.mode=disabled}): the default permissive mode builds a self-signed certificate at
 * start, which took 14 s on a loaded machine. {@link #killMaster} SIGKILLs the master. {@link #close} stops the
 * slave, the master and the NameServer, each by its own process handle with SIGTERM (their shutdown hooks flush and
 * unregister), SIGKILL after {@value #STOP_WAIT_MS} ms, then deletes the directories. A JVM shutdown hook kills all
 * three if the test JVM exits first.
 */
final class ApacheRocketMq implements AutoCloseable {
    static final String CLASSPATH_RESOURCE = "/apache-rocketmq.classpath";
    static final String CLUSTER = "ApacheCompat";
    static final String BROKER_NAME = "apache-a";
    /** Every delay level is 1 s, except level 2 (2 s): retries come back fast, a delayed send is measurable. */
    static final String DELAY_LEVELS = "1s 2s " + String.join(" ", Collections.nCopies(16, "1s"));
    private static final List<String> JVM = List.of("-Xms32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-XX:-UsePerfData", "-Dtls.server.mode=disabled");
    private static final long STOP_WAIT_MS = 30_000;
    private static final long NAMESRV_START_MS = 60_000;
    private static final int PORT_LOW = 20_000;
    private static final int PORT_HIGH = 32_000;

    private final Path dir;
    private final String classpath;
    private final Thread reaper = new Thread(this::killAll, "apache-rocketmq-reaper");
    private final List<Process> processes = new ArrayList<>();
    private String namesrvAddr;
    private String brokerAddr;
    private String slaveAddr;
    private List<String> warnings = List.of();

    ApacheRocketMq(Path dir) {
        this.dir = dir;
        this.classpath = classpath();
    }

    /** The class path of the official NameServer and broker, from the file the build writes; fails if missing. */
    static String classpath() {
        try (InputStream in = ApacheRocketMq.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CLASSPATH_RESOURCE + " is not on the test class path: run the test"
                    + " through Maven (chaos-tests' antrun execution apache-rocketmq-classpath writes it)");
            }
            List<String> jars = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
            for (String jar : jars) {
                if (!Files.isRegularFile(Path.of(jar))) {
                    throw new IllegalStateException("a jar of " + CLASSPATH_RESOURCE + " is missing: " + jar);
                }
            }
            return String.join(java.io.File.pathSeparator, jars);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the NameServer, waits until it accepts connections, then starts the broker; returns at once after. */
    ApacheRocketMq start() throws IOException {
        Runtime.getRuntime().addShutdownHook(reaper);
        int nsPort = freePort();
        namesrvAddr = "127.0.0.1:" + nsPort;
        Files.createDirectories(dir.resolve("namesrv"));
        Files.writeString(dir.resolve("namesrv").resolve("namesrv.properties"), "listenPort=" + nsPort + "\n");
        spawn("org.apache.rocketmq.namesrv.NamesrvStartup", "-Xmx96m", "namesrv", "namesrv.properties");
        awaitPort(nsPort);
        int masterPort = freePort();
        int slavePort = freePort();
        brokerAddr = "127.0.0.1:" + masterPort;
        slaveAddr = "127.0.0.1:" + slavePort;
        for (String home : List.of("master", "slave")) {
            boolean master = home.equals("master");
            Files.createDirectories(dir.resolve(home));
            Files.writeString(dir.resolve(home).resolve("broker.conf"),
                brokerConf(master ? masterPort : slavePort, master, dir.resolve(home).resolve("store")));
            spawn("org.apache.rocketmq.broker.BrokerStartup", "-Xmx192m", home, "broker.conf");
        }
        return this;
    }

    String namesrvAddr() {
        return namesrvAddr;
    }

    /** The broker's client address as it registers it (brokerIP1:listenPort). */
    String brokerAddr() {
        return brokerAddr;
    }

    /** The slave's client address (brokerId 1). */
    String slaveAddr() {
        return slaveAddr;
    }

    /** SIGKILL to the master (by its process handle); returns once it is gone. */
    void killMaster() throws InterruptedException {
        Process p = processes.get(1);
        p.destroyForcibly().waitFor();
        System.out.printf("apache: master (pid %d) killed%n", p.pid());
    }

    /** Pids of the NameServer, the master and the slave. */
    List<Long> pids() {
        return processes.stream().map(Process::pid).toList();
    }

    private String brokerConf(int port, boolean master, Path store) {
        Map<String, String> conf = new java.util.LinkedHashMap<>();
        conf.put("brokerClusterName", CLUSTER);
        conf.put("brokerName", BROKER_NAME);
        conf.put("brokerId", master ? "0" : "1");
        conf.put("brokerRole", master ? "ASYNC_MASTER" : "SLAVE");
        conf.put("flushDiskType", "ASYNC_FLUSH");
        conf.put("brokerIP1", "127.0.0.1");
        conf.put("brokerIP2", "127.0.0.1");
        conf.put("listenPort", Integer.toString(port));
        conf.put("namesrvAddr", namesrvAddr);
        conf.put("storePathRootDir", store.toString());
        conf.put("storePathCommitLog", store.resolve("commitlog").toString());
        conf.put("mappedFileSizeCommitLog", Integer.toString(16 << 20));
        conf.put("mappedFileSizeConsumeQueue", Integer.toString(20 * 3_000));
        conf.put("autoCreateTopicEnable", "true");
        conf.put("autoCreateSubscriptionGroup", "true");
        conf.put("messageDelayLevel", DELAY_LEVELS);
        // a slave serves pulls only with this on; off (the default) it answers 20, retry at brokerId 0
        conf.put("slaveReadEnable", "true");
        // a loaded machine: do not answer "broker busy" for a put queued 200 ms (the default)
        conf.put("waitTimeMillsInSendQueue", "3000");
        StringBuilder b = new StringBuilder();
        conf.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        return b.toString();
    }

    private void spawn(String mainClass, String heap, String home, String conf) throws IOException {
        Path h = dir.resolve(home);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(heap);
        cmd.addAll(JVM);
        cmd.add("-Duser.home=" + h);
        cmd.add(mainClass);
        cmd.add("-c");
        cmd.add(h.resolve(conf).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(h.toFile()).redirectErrorStream(true)
            .redirectOutput(h.resolve("out").toFile());
        pb.environment().put("CLASSPATH", classpath); // 134 jars stay out of argv
        pb.environment().put("ROCKETMQ_HOME", h.toString());
        Process p = pb.start();
        processes.add(p);
        System.out.printf("apache: started %s (pid %d) in %s%n", mainClass, p.pid(), h);
    }

    private void awaitPort(int port) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(NAMESRV_START_MS);
        while (System.nanoTime() < deadline) {
            if (!processes.get(0).isAlive()) {
                throw new IllegalStateException("the NameServer exited: " + tail("namesrv/out", 40));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    processes.get(0).waitFor(50, TimeUnit.MILLISECONDS); // a pause that ends early if it dies
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
        throw new IllegalStateException("the NameServer did not listen on " + port + " within " + NAMESRV_START_MS
            + " ms: " + tail("namesrv/out", 40));
    }

    /** The last {@code lines} lines of the broker's and the NameServer's RocketMQ logs and outputs, for failures. */
    String logTails(int lines) {
        StringBuilder b = new StringBuilder();
        for (String f : List.of("master/out", "slave/out", "namesrv/out", "master/logs/rocketmqlogs/broker.log",
            "slave/logs/rocketmqlogs/broker.log", "namesrv/logs/rocketmqlogs/namesrv.log")) {
            b.append("---- ").append(f).append('\n').append(tail(f, lines)).append('\n');
        }
        return b.toString();
    }

    private String tail(String file, int lines) {
        Path p = dir.resolve(file);
        try {
            if (!Files.exists(p)) {
                return "(none)";
            }
            List<String> all = Files.readAllLines(p, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /**
     * Stops the slave, the master and the NameServer (SIGTERM to each pid, SIGKILL after {@value #STOP_WAIT_MS} ms),
     * waits until each is gone and deletes the directories. Returns the exit codes in start order (143 = ended by
     * SIGTERM, 137 = SIGKILL).
     */
    List<Integer> stop() throws IOException, InterruptedException {
        List<Integer> codes = new ArrayList<>();
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.destroy();
            if (!p.waitFor(STOP_WAIT_MS, TimeUnit.MILLISECONDS)) {
                System.out.printf("apache: pid %d did not stop within %d ms, killing it%n", p.pid(), STOP_WAIT_MS);
                p.destroyForcibly().waitFor();
            }
            codes.add(0, p.exitValue());
            System.out.printf("apache: pid %d stopped, exit code %d%n", p.pid(), p.exitValue());
        }
        warnings = scanLogs();
        deleteTree(dir);
        removeReaper();
        return codes;
    }

    /** The WARN and ERROR lines of the master's logs, as read by {@link #stop} before it deleted them. */
    List<String> warnings() {
        return warnings;
    }

    private List<String> scanLogs() throws IOException {
        Path logs = dir.resolve("master").resolve("logs").resolve("rocketmqlogs");
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(logs)) {
            return found;
        }
        try (Stream<Path> files = Files.list(logs)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.ISO_8859_1)) {
                    if (line.contains(" WARN ") || line.contains(" ERROR ")) {
                        found.add(f.getFileName() + ": " + line);
                    }
                }
            }
        }
        return found;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (processes.stream().anyMatch(Process::isAlive) || Files.exists(dir)) {
            stop();
        }
        removeReaper();
    }

    private void removeReaper() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException | IllegalArgumentException shuttingDownOrGone) {
            // the JVM is already exiting (the reaper runs), or the hook was removed before
        }
    }

    private void killAll() {
        processes.forEach(Process::destroyForcibly);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * A port free on 127.0.0.1 whose neighbours RocketMQ also binds are free too (the broker's HA port is
     * listenPort + 1, its fast channel listenPort - 2), drawn below the kernel's ephemeral range.
     */
    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < 500; attempt++) {
            int p = PORT_LOW + ThreadLocalRandom.current().nextInt(PORT_HIGH - PORT_LOW);
            if (free(p) && free(p + 1) && free(p - 2)) {
                return p;
            }
        }
        throw new IOException("no free port in [" + PORT_LOW + ", " + PORT_HIGH + ") after 500 attempts");
    }

    private static boolean free(int port) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (BindException taken) {
            return false;
        }
    }
}
