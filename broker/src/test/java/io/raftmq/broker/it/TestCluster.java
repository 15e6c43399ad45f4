package io.raftmq.broker.it;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.header.GetRouteInfoRequestHeader;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.client.tls.ClientTls;
import io.raftmq.client.tls.TlsConfig;
import io.raftmq.naming.NameServer;
import io.raftmq.naming.NamingConfig;
import io.raftmq.testsupport.Awaits;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Test fixture: an in-process NameServer and a broker group of {@code n} members (each a full
 * {@link BrokerController}: commit log, raft over loopback TCP, remoting server) on 127.0.0.1 ephemeral ports,
 * with fast Raft timing (10 ms ticks, 300 ms election timeout) and small segments, plus a RemotingClient.
 * {@link #addGroup} puts a further broker group (its own brokerName and Raft group) behind the same NameServer, the
 * way RocketMQ scales out (docs/architecture.md). Waits on conditions with deadlines ({@link #await}), never sleeps
 * blindly.
 */
public final class TestCluster implements AutoCloseable {
    private static final int PORT_LOW = 20_000;
    private static final int PORT_HIGH = 32_000;
    private static final int PORT_ATTEMPTS_MAX = 500;
    public static final String GROUP = "broker-a";
    public final NameServer nameServer;
    public final List<BrokerController> brokers = new ArrayList<>();
    public final List<BrokerConfig> configs = new ArrayList<>();
    public final RemotingClient client = new RemotingClient(RemotingClientConfig.defaults());
    /** This fixture's broker group (brokerName); {@link #GROUP} unless made by {@link #addGroup}. */
    public final String group;
    /** Ports drawn so far by this fixture and every group added to it (drawn ports are bound only at start). */
    private final Set<Integer> taken;
    /** Whether {@link #close} stops the NameServer (false for a group added to another fixture's). */
    private final boolean ownsNameServer;

    public TestCluster(Path dir, int members) throws Exception {
        this(dir, members, Map.of());
    }

    /** As {@link #TestCluster(Path, int)}, with {@code settings} (broker.properties keys) applied to every member. */
    public TestCluster(Path dir, int members, Map<String, String> settings) throws Exception {
        this(dir, members, settings, null, GROUP, new HashSet<>());
    }

    private TestCluster(Path dir, int members, Map<String, String> settings, NameServer shared, String group,
                        Set<Integer> taken) throws Exception {
        this.group = group;
        this.taken = taken;
        this.ownsNameServer = shared == null;
        if (shared == null) {
            nameServer = new NameServer(namingConfig(settings));
            nameServer.start();
        } else {
            nameServer = shared;
        }
        int[] listen = new int[members];
        int[] raft = new int[members];
        for (int i = 0; i < members; i++) {
            listen[i] = freePort(taken);
            raft[i] = freePort(taken);
        }
        StringBuilder raftPeers = new StringBuilder();
        StringBuilder brokerPeers = new StringBuilder();
        for (int i = 0; i < members; i++) {
            raftPeers.append(i == 0 ? "" : ";").append("n").append(i).append("-127.0.0.1:").append(raft[i]);
            brokerPeers.append(i == 0 ? "" : ";").append("n").append(i).append("-127.0.0.1:").append(listen[i]);
        }
        for (int i = 0; i < members; i++) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("brokerName", group);
            m.put("listenHost", "127.0.0.1");
            m.put("listenPort", Integer.toString(listen[i]));
            m.put("storePathRootDir", dir.resolve("n" + i).toString());
            m.put("namesrvAddr", "127.0.0.1:" + nameServer.port());
            m.put("raftPeers", raftPeers.toString());
            m.put("brokerPeers", brokerPeers.toString());
            m.put("raftSelfId", "n" + i);
            m.putAll(shortSettings());
            m.putAll(settings);
            configs.add(BrokerConfig.fromProperties(m, "test-" + group + "-n" + i));
        }
        ClientTls tls = configs.get(0).tls().clientTls();
        if (tls != null) {
            client.useTls(tls);
        }
        client.start();
    }

    /**
     * A further broker group {@code group} of {@code members} (not started: call {@link #startAll} on it) behind this
     * fixture's NameServer, in the same cluster (brokerClusterName), with data under {@code dir}. Close it before
     * this fixture: its {@link #close} stops its members and client, not the shared NameServer.
     */
    public TestCluster addGroup(Path dir, String group, int members, Map<String, String> settings)
            throws Exception {
        return new TestCluster(dir, members, settings, nameServer, group, taken);
    }

    /** The NameServer's settings: defaults on 127.0.0.1, with the tls.* keys of {@code settings} (TLS tests). */
    private static NamingConfig namingConfig(Map<String, String> settings) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(NamingConfig.LISTEN, "127.0.0.1:0");
        settings.forEach((k, v) -> {
            if (k.startsWith(TlsConfig.PREFIX)) {
                m.put(k, v);
            }
        });
        return NamingConfig.fromSettings(m);
    }

    /** Starts every member (in parallel is not needed: start returns once the member serves). */
    public TestCluster startAll() throws Exception {
        for (BrokerConfig c : configs) {
            BrokerController b = new BrokerController(c);
            brokers.add(b);
            b.start();
        }
        return this;
    }

    /**
     * Restarts member {@code i} on the same configuration (same ports and store directory) after a graceful
     * {@link BrokerController#shutdown} of its previous instance, if still running.
     */
    public BrokerController restart(int i) throws Exception {
        BrokerController old = brokers.get(i);
        if (old.isStarted()) {
            old.shutdown();
        }
        BrokerController b = new BrokerController(configs.get(i));
        brokers.set(i, b);
        b.start();
        return b;
    }

    /** Index of {@code b} among the members. */
    public int indexOf(BrokerController b) {
        return brokers.indexOf(b);
    }

    /** A further port for this cluster (a joining member's), drawn as the members' own are. */
    public int newPort() throws IOException {
        return freePort(taken);
    }

    /**
     * A port free now and at least 3 away from every port in {@code taken} (the ports already drawn for this
     * cluster, to which it is added): the broker refuses a raft port on the ports RocketMQ reserves next to a
     * listen port (listenPort - 2 VIP, + 1 HA), so two drawn ports must never be neighbours. Drawn below the
     * kernel's ephemeral range (32768 and up on Linux): a member restarted on its old port must not find it taken
     * meanwhile as the local port of some outgoing connection.
     */
    private static int freePort(Set<Integer> taken) throws IOException {
        for (int attempt = 0; attempt < PORT_ATTEMPTS_MAX; attempt++) {
            int port = PORT_LOW + ThreadLocalRandom.current().nextInt(PORT_HIGH - PORT_LOW);
            if (nearTaken(taken, port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", port));
                taken.add(port);
                return port;
            } catch (BindException inUse) {
                // try another one
            }
        }
        throw new IOException("no free port in [" + PORT_LOW + ", " + PORT_HIGH + ") after " + PORT_ATTEMPTS_MAX
            + " attempts");
    }

    private static boolean nearTaken(Set<Integer> taken, int port) {
        for (int d = -2; d <= 2; d++) {
            if (taken.contains(port + d)) {
                return true;
            }
        }
        return false;
    }

    public String namesrv() {
        return "127.0.0.1:" + nameServer.port();
    }

    /** The single running member that is leader, or null. */
    public BrokerController leader() {
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

    /** A running member that is not the leader. */
    public BrokerController follower() {
        for (BrokerController b : brokers) {
            if (b.isStarted() && !b.isLeader()) {
                return b;
            }
        }
        return null;
    }

    /** Waits until a leader is elected and the NameServer routes TBW102's id 0 to it; returns the leader. */
    public BrokerController awaitLeaderRegistered(long timeoutMs) throws Exception {
        await(timeoutMs, "a leader registered as brokerId 0", () -> {
            BrokerController l = leader();
            return l != null && l.config().brokerAddr().equals(routedMaster("TBW102"));
        });
        return leader();
    }

    /** The address the NameServer gives as brokerId 0 of this fixture's {@link #group} for {@code topic}, or null. */
    public String routedMaster(String topic) {
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC,
            new GetRouteInfoRequestHeader(topic, null));
        try {
            RemotingCommand r = client.invokeSync(namesrv(), req, 2000);
            try {
                if (r.code() != ResponseCode.SUCCESS) {
                    return null;
                }
                for (BrokerData bd : TopicRouteData.decode(r.bodyBytes()).brokerDatas()) {
                    if (bd.brokerName().equals(group)) {
                        return bd.brokerAddrs().get(BrokerData.MASTER_ID);
                    }
                }
                return null;
            } finally {
                r.release();
            }
        } catch (Exception e) { // test helper: any failure means "not routed yet"
            return null;
        }
    }

    /** A SEND_MESSAGE_V2 request for one message. */
    public static RemotingCommand sendRequest(String topic, int queueId, String body, String uniqKey) {
        String props = "UNIQ_KEY\u0001" + uniqKey + "\u0002WAIT\u0001true\u0002TAGS\u0001TagA\u0002";
        SendMessageRequestHeader h = new SendMessageRequestHeader("PG", topic, "TBW102", 4, queueId, 0,
            System.currentTimeMillis(), 0, props, 0, false, false, null, GROUP);
        return RemotingCommand.createRequest(RequestCode.SEND_MESSAGE_V2, h.asV2())
            .setBody(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Polls {@code condition} until true or the deadline passes (then fails with {@code what}). */
    public static void await(long timeoutMs, String what, BooleanSupplier condition) throws InterruptedException {
        Awaits.await(what).atMost(Duration.ofMillis(timeoutMs)).until(condition::getAsBoolean);
    }

    /**
     * Stops the client, every member and (if this fixture started it) the NameServer, then lets go of the members:
     * a stopped member still holds its store's direct buffers (some 12 MiB each), which only a GC of the member
     * frees, and test classes keep their fixtures in static fields after the class has run (docs/architecture.md
     * "Direct memory in the socket-test JVM").
     */
    @Override
    public void close() {
        client.shutdown();
        for (BrokerController b : brokers) {
            if (b.isStarted()) {
                b.shutdown();
            }
        }
        brokers.clear();
        if (ownsNameServer) {
            nameServer.shutdown();
        }
    }

    /**
     * The short timings and small sizes every test member runs with: a 10 ms tick, elections after ~300 ms, 4 MiB
     * segments, 256 KiB messages, registration every 5 s with a 3 s timeout. Tests that start members of their own
     * use it too, and override what they need.
     */
    public static Map<String, String> shortSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("raftTickMs", "10");
        m.put("raftHeartbeatIntervalMs", "50");
        m.put("raftElectionTimeoutMs", "300");
        m.put("commitLogSegmentBytes", Integer.toString(4 << 20));
        m.put("messageSizeMax", Integer.toString(256 << 10));
        m.put("sendBatchBytesMax", Integer.toString(1 << 20));
        m.put("registerNameServerPeriodMs", "5000");
        m.put("registerNameServerTimeoutMs", "3000");
        m.put("nameServerExpiryMs", "30000");
        return m;
    }
}
