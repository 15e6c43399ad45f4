package io.raftmq.tools.admin;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.naming.NameServer;
import io.raftmq.naming.NamingConfig;
import io.raftmq.testsupport.Awaits;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Test fixture of the admin CLI tests: an in-process NameServer and one broker group of three full
 * {@link BrokerController}s on loopback ports, with the short Raft timings of the broker module's own TestCluster
 * (10 ms ticks, 300 ms election timeout; that fixture lives in the broker's test code, which this module cannot
 * import). Waits are conditions with deadlines.
 */
final class AdminCluster implements AutoCloseable {
    static final String GROUP = "broker-a";
    final NameServer nameServer;
    final List<BrokerController> brokers = new ArrayList<>();

    AdminCluster(Path dir, int members) throws Exception {
        nameServer = new NameServer(NamingConfig.defaults("127.0.0.1", 0));
        nameServer.start();
        int[] ports = freePorts(2 * members);
        StringBuilder raftPeers = new StringBuilder();
        StringBuilder brokerPeers = new StringBuilder();
        for (int i = 0; i < members; i++) {
            raftPeers.append(i == 0 ? "" : ";").append("n").append(i).append("-127.0.0.1:").append(ports[2 * i + 1]);
            brokerPeers.append(i == 0 ? "" : ";").append("n").append(i).append("-127.0.0.1:").append(ports[2 * i]);
        }
        for (int i = 0; i < members; i++) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("brokerName", GROUP);
            m.put("listenHost", "127.0.0.1");
            m.put("listenPort", Integer.toString(ports[2 * i]));
            m.put("storePathRootDir", dir.resolve("n" + i).toString());
            m.put("namesrvAddr", namesrv());
            m.put("raftPeers", raftPeers.toString());
            m.put("brokerPeers", brokerPeers.toString());
            m.put("raftSelfId", "n" + i);
            m.put("raftTickMs", "10");
            m.put("raftHeartbeatIntervalMs", "50");
            m.put("raftElectionTimeoutMs", "300");
            m.put("commitLogSegmentBytes", Integer.toString(4 << 20));
            m.put("messageSizeMax", Integer.toString(256 << 10));
            m.put("sendBatchBytesMax", Integer.toString(1 << 20));
            m.put("registerNameServerPeriodMs", "1000");
            m.put("registerNameServerTimeoutMs", "800");
            BrokerController b = new BrokerController(BrokerConfig.fromProperties(m, "admin-n" + i));
            brokers.add(b);
            b.start();
        }
    }

    /** Distinct free loopback ports (bound at once, then released together). */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                held.add(s);
                out[i] = s.getLocalPort();
            }
            return out;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    String namesrv() {
        return "127.0.0.1:" + nameServer.port();
    }

    /** The single member that leads, or null. */
    BrokerController leader() {
        BrokerController found = null;
        for (BrokerController b : brokers) {
            if (b.isStarted() && b.isLeader()) {
                if (found != null) {
                    return null;
                }
                found = b;
            }
        }
        return found;
    }

    static void await(long timeoutMs, String what, BooleanSupplier condition) {
        Awaits.await(what).atMost(Duration.ofMillis(timeoutMs)).until(condition::getAsBoolean);
    }

    @Override
    public void close() {
        for (BrokerController b : brokers) {
            if (b.isStarted()) {
                b.shutdown();
            }
        }
        nameServer.shutdown();
    }
}
