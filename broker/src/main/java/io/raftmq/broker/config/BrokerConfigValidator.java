package io.raftmq.broker.config;

import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.raft.driver.DurabilityMode;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parsing of single values and the range and relation checks of {@link BrokerConfig}, kept apart so the record
 * stays readable. Every failure is a {@link BrokerConfigException} whose message starts with
 * {@code "<file>: <key>: "}. Generic rules: every {@code ...Ms} duration and every {@code ...Max}/{@code ...Nums}/
 * {@code ...Bytes} limit must be at least 1. The checks of each area are in their own class, called from
 * {@link #validate} in a fixed order (the first failure is the one reported): {@link PeerChecks} (names, addresses,
 * ports, peers), {@link TimingChecks}, {@link StorageChecks} (sizes, snapshots, retention) and
 * {@link SecurityChecks} (TLS, raft peer authentication).
 */
final class BrokerConfigValidator {
    /** Settings ending in Ms where 0 means "not set" (another setting applies). */
    private static final Set<String> ZERO_MEANS_UNSET = Set.of("fileReservedTimeMs");

    private BrokerConfigValidator() {
    }

    static BrokerConfigException fail(String source, String key, String problem) {
        return new BrokerConfigException(source + ": " + key + ": " + problem);
    }

    /** Parses one raw value into the component's type. */
    static Object parse(String source, String key, String raw, RecordComponent rc) throws BrokerConfigException {
        Class<?> t = rc.getType();
        if (t == String.class) {
            return raw;
        }
        if (t == int.class || t == long.class) {
            long v = parseLong(source, key, raw);
            if (t == int.class && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
                throw fail(source, key, "must be a 32-bit integer, got '" + raw + "'");
            }
            return t == int.class ? (Object) (int) v : (Object) v;
        }
        if (t == boolean.class) {
            if (!raw.equalsIgnoreCase("true") && !raw.equalsIgnoreCase("false")) {
                throw fail(source, key, "must be true or false, got '" + raw + "'");
            }
            return Boolean.parseBoolean(raw);
        }
        if (t == DurabilityMode.class) {
            return parseDurability(source, key, raw);
        }
        if (t == FlushMode.class) {
            return parseFlushMode(source, key, raw);
        }
        if (t == DelayLevels.class) {
            try {
                return DelayLevels.parse(raw);
            } catch (IllegalArgumentException e) {
                throw fail(source, key, e.getMessage());
            }
        }
        return parseList(source, key, raw, rc);
    }

    /**
     * The properties spelling of a durability mode: {@code quorum-fsync}, {@code quorum-memory} (the enum name in
     * lower case, '-' for '_').
     */
    static String durabilityText(DurabilityMode d) {
        return d.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** {@code quorum-fsync} or {@code quorum-memory}, case-insensitive. */
    private static DurabilityMode parseDurability(String source, String key, String raw) throws BrokerConfigException {
        for (DurabilityMode d : DurabilityMode.values()) {
            if (durabilityText(d).equalsIgnoreCase(raw)) {
                return d;
            }
        }
        throw fail(source, key, "must be quorum-fsync or quorum-memory, got '" + raw + "'");
    }

    /**
     * SYNC or ASYNC, case-insensitive: the commit log's other mode (MANUAL, no flush thread) is for tests and
     * simulations and is not a broker setting.
     */
    private static FlushMode parseFlushMode(String source, String key, String raw) throws BrokerConfigException {
        if (raw.equalsIgnoreCase(FlushMode.SYNC.name())) {
            return FlushMode.SYNC;
        }
        if (raw.equalsIgnoreCase(FlushMode.ASYNC.name())) {
            return FlushMode.ASYNC;
        }
        throw fail(source, key, "must be SYNC or ASYNC, got '" + raw + "'");
    }

    private static Object parseList(String source, String key, String raw, RecordComponent rc)
            throws BrokerConfigException {
        if (rc.getType() != List.class) {
            throw new IllegalStateException("unsupported BrokerConfig type " + rc.getType());
        }
        Class<?> element = (Class<?>) ((ParameterizedType) rc.getGenericType()).getActualTypeArguments()[0];
        List<Object> out = new ArrayList<>();
        if (raw.isBlank() && key.equals("brokerPeers")) {
            return out; // optional: forwarding disabled
        }
        for (String part : raw.split(";")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            out.add(element == RaftPeer.class ? parsePeer(source, key, s) : parseAddress(source, key, s));
        }
        if (out.isEmpty()) {
            throw fail(source, key, "must list at least one entry separated by ';', got '" + raw + "'");
        }
        return out;
    }

    private static long parseLong(String source, String key, String raw) throws BrokerConfigException {
        try {
            return Long.parseLong(raw.replace("_", ""));
        } catch (NumberFormatException e) {
            throw fail(source, key, "must be an integer, got '" + raw + "'");
        }
    }

    /** Checks {@code host:port} and returns it unchanged. */
    static String parseAddress(String source, String key, String s) throws BrokerConfigException {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw fail(source, key, "address must be host:port, got '" + s + "'");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw fail(source, key, "port must be a number in '" + s + "'");
        }
        if (port < 1 || port > 65_535) {
            throw fail(source, key, "port must be in [1, 65535] in '" + s + "'");
        }
        return s;
    }

    private static RaftPeer parsePeer(String source, String key, String s) throws BrokerConfigException {
        int dash = s.indexOf('-');
        if (dash <= 0) {
            throw fail(source, key, "peer must be id-host:port (e.g. n0-127.0.0.1:10915), got '" + s + "'");
        }
        String addr = parseAddress(source, key, s.substring(dash + 1));
        int colon = addr.lastIndexOf(':');
        try {
            return new RaftPeer(s.substring(0, dash), addr.substring(0, colon),
                    Integer.parseInt(addr.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw fail(source, key, e.getMessage());
        }
    }

    /** Formats a value back into properties text. */
    static String format(Object v) {
        if (v instanceof DurabilityMode d) {
            return durabilityText(d);
        }
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder();
            for (Object o : l) {
                b.append(b.length() == 0 ? "" : ";").append(o);
            }
            return b.toString();
        }
        return String.valueOf(v);
    }

    /** One area's check of a config whose {@code brokerIP1} is filled in. */
    @FunctionalInterface
    private interface Check {
        void check(BrokerConfig c, String source) throws BrokerConfigException;
    }

    /**
     * The checks after the names, the advertised address and the raft peers, in the order they run: the first
     * failure is the one reported.
     */
    private static final List<Check> CHECKS = List.of(TimingChecks::checkRaftTiming, StorageChecks::checkSizes,
        TimingChecks::checkPeriods, TimingChecks::checkMessaging, StorageChecks::checkSnapshots,
        PeerChecks::checkBrokerPeers, StorageChecks::checkSendLimits, StorageChecks::checkRetention,
        PeerChecks::checkRaftInitialState, PeerChecks::checkMetrics, SecurityChecks::checkSecurity);

    /** Range and relation checks; returns the config with defaults derived from others filled in. */
    static BrokerConfig validate(BrokerConfig c, String source) throws BrokerConfigException {
        checkPositive(c, source);
        PeerChecks.checkNames(c, source);
        BrokerConfig filled = PeerChecks.fillBrokerIp(c, source);
        PeerChecks.checkPeers(filled, source);
        for (Check check : CHECKS) {
            check.check(filled, source);
        }
        return filled;
    }

    private static void checkPositive(BrokerConfig c, String source) throws BrokerConfigException {
        java.util.Map<String, String> values = c.toProperties();
        for (RecordComponent rc : BrokerConfig.class.getRecordComponents()) {
            String n = rc.getName();
            boolean limit = n.endsWith("Ms") || n.endsWith("Max") || n.endsWith("Nums") || n.endsWith("Bytes");
            if (!limit || !(rc.getType() == int.class || rc.getType() == long.class)) {
                continue;
            }
            long v = Long.parseLong(values.get(n));
            if (v == 0 && ZERO_MEANS_UNSET.contains(n)) {
                continue;
            }
            if (v < 1) {
                throw fail(source, n, "must be >= 1, got " + v);
            }
        }
        if (c.listenPort() < 1 || c.listenPort() > 65_535) {
            throw fail(source, "listenPort", "must be in [1, 65535], got " + c.listenPort());
        }
    }
}
