package io.raftmq.broker;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.it.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: a member binds its client port and its Raft port before it opens its store or contacts its group. When a
 * port is taken, {@link BrokerController#start} fails at once with {@code cannot bind host:port (which port): reason},
 * the data directory is not created (or, from an earlier run, not modified), no peer got a connection, and the other
 * port is free again; {@link BrokerMain} prints that line on stderr and exits 1.
 * Method: occupy the port with a {@link ServerSocket} on 127.0.0.1; the peer is a non-blocking listening channel whose
 * accept queue must stay empty; the data directory is compared file by file (SHA-256) before and after.
 */
class BindFirstTest {
    private static final String HOST = "127.0.0.1";
    private static final long CHILD_EXIT_WAIT_MS = 60_000;

    @Test
    void takenClientPortFailsBeforeTheStoreOrThePeers(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = listen(); ServerSocketChannel peer = peer()) {
            int raftPort = freePort();
            BrokerConfig c = config(dir.resolve("n0"), taken.getLocalPort(), raftPort, port(peer));
            BrokerController b = new BrokerController(c);
            assertThatThrownBy(b::start).isInstanceOf(BrokerBindException.class)
                .hasMessage("cannot bind " + HOST + ":" + taken.getLocalPort()
                    + " (client port): Address already in use");
            assertThat(b.isStarted()).isFalse();
            assertThat(dir.resolve("n0")).doesNotExist();
            assertThat(peer.accept()).as("a connection reached the peer").isNull();
            assertBindable(raftPort);
        }
    }

    @Test
    void takenRaftPortFailsBeforeTheStoreOrThePeers(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = listen(); ServerSocketChannel peer = peer()) {
            int clientPort = freePort();
            BrokerConfig c = config(dir.resolve("n0"), clientPort, taken.getLocalPort(), port(peer));
            BrokerController b = new BrokerController(c);
            assertThatThrownBy(b::start).isInstanceOf(BrokerBindException.class)
                .hasMessage("cannot bind " + HOST + ":" + taken.getLocalPort()
                    + " (raft port): Address already in use");
            assertThat(dir.resolve("n0")).doesNotExist();
            assertThat(peer.accept()).as("a connection reached the peer").isNull();
            assertBindable(clientPort);
        }
    }

    /** A member that ran before (single-member group, so it elected itself and wrote its log) keeps its files as is. */
    @Test
    void takenPortLeavesAnExistingStoreUntouched(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("n0");
        int clientPort = freePort();
        int raftPort = freePort();
        BrokerController first = new BrokerController(config(data, clientPort, raftPort, 0));
        first.start();
        TestCluster.await(30_000, "the single member elected itself", first::isLeader);
        first.shutdown();
        Map<String, String> before = digest(data);
        assertThat(before).isNotEmpty();
        try (ServerSocket taken = listen(clientPort)) {
            BrokerController second = new BrokerController(config(data, clientPort, raftPort, 0));
            assertThatThrownBy(second::start).isInstanceOf(BrokerBindException.class)
                .hasMessageContaining("(client port)");
        }
        assertThat(digest(data)).isEqualTo(before);
    }

    @Test
    void mainPrintsTheBindFailureAndReturnsExitCodeOne(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = listen()) {
            BrokerController b = new BrokerController(config(dir.resolve("n0"), taken.getLocalPort(), freePort(), 0));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = BrokerMain.start(b, new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(code).isEqualTo(BrokerMain.EXIT_START_FAILED);
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("cannot bind " + HOST + ":"
                + taken.getLocalPort() + " (client port): Address already in use" + System.lineSeparator());
        }
    }

    /** The real process: BrokerMain exits 1 with the reason on stderr, and creates no data directory. */
    @Test
    void brokerMainProcessExitsNonZeroWithTheReason(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = listen()) {
            Path data = dir.resolve("n0");
            Path file = dir.resolve("broker.properties");
            StringBuilder props = new StringBuilder();
            for (Map.Entry<String, String> e : properties(data, taken.getLocalPort(), freePort(), 0).entrySet()) {
                props.append(e.getKey()).append('=').append(e.getValue().replace("\\", "\\\\")).append('\n');
            }
            Files.writeString(file, props.toString());
            Path stderr = dir.resolve("stderr.txt");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", BrokerMain.class.getName(), "-c",
                file.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.to(stderr.toFile()));
            pb.environment().put("CLASSPATH", testClasspath());
            Process p = pb.start();
            try {
                assertThat(p.waitFor(CHILD_EXIT_WAIT_MS, TimeUnit.MILLISECONDS)).as("BrokerMain exited").isTrue();
            } finally {
                p.destroyForcibly();
            }
            assertThat(p.exitValue()).isEqualTo(BrokerMain.EXIT_START_FAILED);
            assertThat(Files.readString(stderr)).contains("cannot bind " + HOST + ":" + taken.getLocalPort()
                + " (client port): Address already in use");
            assertThat(data).doesNotExist();
        }
    }

    private static String testClasspath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /** Two members (this one, n0, and a peer n1 at {@code peerRaftPort}), or one when the peer port is 0. */
    private static Map<String, String> properties(Path data, int clientPort, int raftPort, int peerRaftPort) {
        Map<String, String> m = new HashMap<>();
        m.put("brokerName", "broker-bind");
        m.put("listenHost", HOST);
        m.put("listenPort", Integer.toString(clientPort));
        m.put("storePathRootDir", data.toString());
        m.put("namesrvAddr", HOST + ":9");
        m.put("raftPeers", "n0-" + HOST + ":" + raftPort + (peerRaftPort == 0 ? "" : ";n1-" + HOST + ":"
            + peerRaftPort));
        m.put("raftSelfId", "n0");
        m.putAll(TestCluster.shortSettings());
        m.put("registerNameServerTimeoutMs", "1000");
        return m;
    }

    private static BrokerConfig config(Path data, int clientPort, int raftPort, int peerRaftPort) throws Exception {
        return BrokerConfig.fromProperties(properties(data, clientPort, raftPort, peerRaftPort), "bind-test");
    }

    /** Relative path → SHA-256 of every regular file under {@code root}. */
    private static Map<String, String> digest(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile).forEach(files::add);
        }
        for (Path f : files) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            out.put(root.relativize(f).toString(), HexFormat.of().formatHex(md.digest(Files.readAllBytes(f))));
        }
        return out;
    }

    private static ServerSocket listen() throws IOException {
        return listen(0);
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(HOST, port));
        return s;
    }

    /** A silent peer: listens, never accepts by itself; {@code accept()} returns null while nobody connected. */
    private static ServerSocketChannel peer() throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.bind(new InetSocketAddress(HOST, 0));
        ch.configureBlocking(false);
        return ch;
    }

    private static int port(ServerSocketChannel ch) throws IOException {
        return ((InetSocketAddress) ch.getLocalAddress()).getPort();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = listen()) {
            return s.getLocalPort();
        }
    }

    private static void assertBindable(int port) throws IOException {
        try (ServerSocket s = listen(port)) {
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }
}
