package io.raftmq.naming;

import io.raftmq.client.tls.TlsConfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Settings of one NameServer, validated once. Read from a properties file and/or command-line flags by
 * {@link NamingMain}; every key is listed in {@link #KEYS} or {@link TlsConfig#KEYS} (an unknown key is an error,
 * so typos do not pass silently).
 *
 * @param listenHost                  local address to listen on; 127.0.0.1 by default (set 0.0.0.0 to serve
 *                                    other hosts)
 * @param listenPort                  TCP port (RocketMQ's 9876); 0 = ephemeral
 * @param brokerExpiryMs              drop a broker that has not registered for this long, unless it sent its own
 *                                    {@code heartbeatTimeoutMillis} (RocketMQ: 120 s)
 * @param scanIntervalMs              how often leases are checked (RocketMQ: 5 s); {@code <= brokerExpiryMs}
 * @param ioThreads                   Netty I/O event loops
 * @param queryThreads                threads serving route, cluster, topic-list and KV requests
 * @param requestQueueMax             requests queued per executor before answering SYSTEM_BUSY
 * @param channelIdleMs               close connections idle this long (docs/protocol.md: 120 s); 0 = never
 * @param replaceTopicsOnRegistration a leader's registration lists all its topics: topics it omits lose the
 *                                    group's layout (false = merge, RocketMQ's default)
 * @param metricsHost                 address the Prometheus {@code /metrics} endpoint binds (docs/metrics.md;
 *                                    default 127.0.0.1)
 * @param metricsPort                 its TCP port; 0 (the default) = no endpoint: a library default must not open
 *                                    a port nobody asked for (bin/raftmq-cluster and conf/ set one)
 * @param tls                         TLS on the client port: the {@code tls.*} keys of {@link TlsConfig}
 *                                    (docs/security.md "TLS"; off by default)
 */
public record NamingConfig(String listenHost, int listenPort, long brokerExpiryMs, long scanIntervalMs,
                           int ioThreads, int queryThreads, int requestQueueMax, long channelIdleMs,
                           boolean replaceTopicsOnRegistration, String metricsHost, int metricsPort,
                           TlsConfig tls) {
    public static final String LISTEN = "listen";
    public static final String BROKER_EXPIRY_MS = "brokerExpiryMs";
    public static final String SCAN_INTERVAL_MS = "scanIntervalMs";
    public static final String IO_THREADS = "ioThreads";
    public static final String QUERY_THREADS = "queryThreads";
    public static final String REQUEST_QUEUE_MAX = "requestQueueMax";
    public static final String CHANNEL_IDLE_MS = "channelIdleMs";
    public static final String REPLACE_TOPICS_ON_REGISTRATION = "replaceTopicsOnRegistration";
    public static final String METRICS_HOST = "metricsHost";
    public static final String METRICS_PORT = "metricsPort";
    public static final String METRICS_HOST_DEFAULT = "127.0.0.1";
    /** Every accepted configuration key. */
    public static final Set<String> KEYS = Set.of(LISTEN, BROKER_EXPIRY_MS, SCAN_INTERVAL_MS, IO_THREADS,
            QUERY_THREADS, REQUEST_QUEUE_MAX, CHANNEL_IDLE_MS, REPLACE_TOPICS_ON_REGISTRATION, METRICS_HOST,
            METRICS_PORT);

    public static final String LISTEN_DEFAULT = "127.0.0.1:9876";
    public static final long BROKER_EXPIRY_MS_DEFAULT = 120_000;
    public static final long SCAN_INTERVAL_MS_DEFAULT = 5_000;
    public static final long CHANNEL_IDLE_MS_DEFAULT = 120_000;

    public NamingConfig {
        require(listenHost != null && !listenHost.isBlank(), "listen host is required");
        require(listenPort >= 0 && listenPort <= 65_535, "listen port must be in [0, 65535]: " + listenPort);
        require(brokerExpiryMs >= 1, BROKER_EXPIRY_MS + " must be >= 1: " + brokerExpiryMs);
        require(scanIntervalMs >= 1, SCAN_INTERVAL_MS + " must be >= 1: " + scanIntervalMs);
        require(scanIntervalMs <= brokerExpiryMs, SCAN_INTERVAL_MS + " (" + scanIntervalMs + ") must not exceed "
                + BROKER_EXPIRY_MS + " (" + brokerExpiryMs + "), or expired brokers linger");
        require(ioThreads >= 1 && ioThreads <= 64, IO_THREADS + " must be in [1, 64]: " + ioThreads);
        require(queryThreads >= 1 && queryThreads <= 64, QUERY_THREADS + " must be in [1, 64]: " + queryThreads);
        require(requestQueueMax >= 1, REQUEST_QUEUE_MAX + " must be >= 1: " + requestQueueMax);
        require(channelIdleMs >= 0, CHANNEL_IDLE_MS + " must be >= 0: " + channelIdleMs);
        require(metricsHost != null && !metricsHost.isBlank(), METRICS_HOST + " must be a local address");
        require(metricsPort >= 0 && metricsPort <= 65_535, METRICS_PORT + " must be in [0, 65535] (0 = no"
                + " metrics endpoint): " + metricsPort);
        require(metricsPort == 0 || metricsPort != listenPort, METRICS_PORT + " " + metricsPort
                + " is the listen port");
        require(tls != null, "tls settings are required (TlsConfig.disabled() for none)");
    }

    /** Defaults, listening on {@code host:port}. */
    public static NamingConfig defaults(String host, int port) {
        return new NamingConfig(host, port, BROKER_EXPIRY_MS_DEFAULT, SCAN_INTERVAL_MS_DEFAULT, 2, 2, 10_000,
                CHANNEL_IDLE_MS_DEFAULT, false, METRICS_HOST_DEFAULT, 0, TlsConfig.disabled());
    }

    /**
     * Builds a config from key/value settings (keys as in {@link #KEYS}); missing keys take their defaults.
     *
     * @throws IllegalArgumentException naming the offending key for an unknown key, a malformed value or a
     *     violated constraint
     */
    public static NamingConfig fromSettings(Map<String, String> settings) {
        Map<String, String> s = new LinkedHashMap<>(settings);
        for (String key : s.keySet()) {
            require(KEYS.contains(key) || key.startsWith(TlsConfig.PREFIX), "unknown setting '" + key + "'; known: "
                    + new TreeSet<>(KEYS) + " and " + new TreeSet<>(TlsConfig.KEYS));
        }
        String listen = s.getOrDefault(LISTEN, LISTEN_DEFAULT).trim();
        int colon = listen.lastIndexOf(':');
        require(colon > 0 && colon < listen.length() - 1, LISTEN + " must be HOST:PORT: '" + listen + "'");
        return new NamingConfig(listen.substring(0, colon), integer(LISTEN + " port", listen.substring(colon + 1)),
                number(s, BROKER_EXPIRY_MS, BROKER_EXPIRY_MS_DEFAULT),
                number(s, SCAN_INTERVAL_MS, SCAN_INTERVAL_MS_DEFAULT),
                integer(s, IO_THREADS, 2), integer(s, QUERY_THREADS, 2), integer(s, REQUEST_QUEUE_MAX, 10_000),
                number(s, CHANNEL_IDLE_MS, CHANNEL_IDLE_MS_DEFAULT), bool(s, REPLACE_TOPICS_ON_REGISTRATION),
                s.getOrDefault(METRICS_HOST, METRICS_HOST_DEFAULT).trim(), integer(s, METRICS_PORT, 0),
                tls(s));
    }

    /** The {@code tls.*} settings, their files checked now so that a bad one fails with the others' messages. */
    private static TlsConfig tls(Map<String, String> s) {
        TlsConfig tls = TlsConfig.fromSettings(s);
        tls.serverContext();
        return tls;
    }

    /** The listen address as HOST:PORT. */
    public String listen() {
        return listenHost + ":" + listenPort;
    }

    private static long number(Map<String, String> s, String key, long dflt) {
        String v = s.get(key);
        return v == null ? dflt : number(key, v);
    }

    private static int integer(Map<String, String> s, String key, int dflt) {
        String v = s.get(key);
        return v == null ? dflt : integer(key, v);
    }

    private static long number(String what, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number: '" + v + "'");
        }
    }

    private static int integer(String what, String v) {
        long n = number(what, v);
        require(n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE, what + " out of range: " + v);
        return (int) n;
    }

    private static boolean bool(Map<String, String> s, String key) {
        String v = s.getOrDefault(key, "false").trim();
        require(v.equals("true") || v.equals("false"), key + " must be true or false: '" + v + "'");
        return Boolean.parseBoolean(v);
    }

    private static void require(boolean cond, String message) {
        if (!cond) {
            throw new IllegalArgumentException(message);
        }
    }
}
