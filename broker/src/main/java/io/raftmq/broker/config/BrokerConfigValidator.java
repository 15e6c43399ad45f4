package io.raftmq.broker.config;

import io.raftmq.client.tls.TlsConfig;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.raft.driver.DurabilityMode;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parsing of single values and the range and relation checks of {@link BrokerConfig}, kept apart so the record
 * stays readable. Every failure is a {@link BrokerConfigException} whose message starts with
 * {@code "<file>: <key>: "}. Generic rules: every {@code ...Ms} duration and every {@code ...Max}/{@code ...Nums}/
 * {@code ...Bytes} limit must be at least 1.
 */
final class BrokerConfigValidator {
    /** RocketMQ's name rule for broker and cluster names. */
    private static final String NAME_PATTERN = "[A-Za-z0-9_-]{1,127}";
    /** A frame is at most 16 MiB (docs/protocol.md §1.2); a message must leave room for its headers. */
    private static final int MESSAGE_SIZE_LIMIT = 16 * 1024 * 1024 - 64 * 1024;
    /** Largest pullMessagesMax: the official client's own pullBatchSize limit. */
    private static final int PULL_MESSAGES_LIMIT = 1024;
    /** Room for record and message headers in a segment besides the largest body. */
    private static final long SEGMENT_HEADROOM_BYTES = 64 * 1024;
    private static final int QUEUE_NUMS_LIMIT = 1024;
    /** Snapshot interval bounds: at least 100 entries (a snapshot costs a full image), at most a billion. */
    private static final long SNAPSHOT_INTERVAL_MIN = 100;
    private static final long SNAPSHOT_INTERVAL_MAX = 1_000_000_000L;
    private static final int SNAPSHOT_RETAIN_MAX = 100;
    /** Settings ending in Ms where 0 means "not set" (another setting applies). */
    private static final Set<String> ZERO_MEANS_UNSET = Set.of("fileReservedTimeMs");
    /** Shortest pause between two retention runs. */
    private static final long CLEAN_INTERVAL_MS_MIN = 10;

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

    /** Range and relation checks; returns the config with defaults derived from others filled in. */
    static BrokerConfig validate(BrokerConfig c, String source) throws BrokerConfigException {
        checkPositive(c, source);
        checkNames(c, source);
        BrokerConfig filled = fillBrokerIp(c, source);
        checkPeers(filled, source);
        checkRaftTiming(c, source);
        checkSizes(c, source);
        checkPeriods(c, source);
        checkMessaging(c, source);
        checkSnapshots(c, source);
        checkBrokerPeers(filled, source);
        checkSendLimits(filled, source);
        checkRetention(filled, source);
        checkRaftInitialState(filled, source);
        checkMetrics(filled, source);
        checkSecurity(filled, source);
        return filled;
    }

    /** The tls.* keys, parsed by {@link TlsConfig} (docs/security.md "TLS"). */
    static TlsConfig parseTls(String source, Map<String, String> props) throws BrokerConfigException {
        try {
            return TlsConfig.fromSettings(props);
        } catch (IllegalArgumentException e) {
            throw new BrokerConfigException(source + ": " + e.getMessage(), e);
        }
    }

    /** TLS files readable and well-formed, the raft TLS settings complete, the group secret usable. */
    private static void checkSecurity(BrokerConfig c, String source) throws BrokerConfigException {
        try {
            c.tls().serverContext();
            c.tls().clientTls();
            RaftGroupSecurity.of(c);
        } catch (IllegalArgumentException e) {
            throw new BrokerConfigException(source + ": " + e.getMessage(), e);
        }
    }

    /** The metrics endpoint (docs/metrics.md): 0 = off, else a port none of the member's others uses. */
    private static void checkMetrics(BrokerConfig c, String source) throws BrokerConfigException {
        int mp = c.metricsPort();
        if (mp < 0 || mp > 65_535) {
            throw fail(source, "metricsPort", "must be in [0, 65535] (0 = no metrics endpoint), got " + mp);
        }
        if (c.metricsHost().isBlank()) {
            throw fail(source, "metricsHost", "must be a local address, e.g. 127.0.0.1 or 0.0.0.0");
        }
        int lp = c.listenPort();
        if (mp != 0 && (mp == lp || mp == lp - 2 || mp == lp + 1 || mp == c.raftSelf().port())) {
            throw fail(source, "metricsPort", mp + " clashes with listenPort " + lp + ", the ports RocketMQ reserves"
                + " next to it (" + (lp - 2) + " VIP, " + (lp + 1) + " HA) or the raft port " + c.raftSelf().port());
        }
    }

    private static void checkRaftInitialState(BrokerConfig c, String source) throws BrokerConfigException {
        String v = c.raftInitialState();
        if (!BrokerConfig.RAFT_INITIAL_STATE_NEW.equals(v) && !BrokerConfig.RAFT_INITIAL_STATE_EXISTING.equals(v)) {
            throw fail(source, "raftInitialState", "must be '" + BrokerConfig.RAFT_INITIAL_STATE_NEW + "' (a member of"
                + " a new group) or '" + BrokerConfig.RAFT_INITIAL_STATE_EXISTING + "' (a member of a running group:"
                + " missing raft state means lost data, the member starts repairing), got '" + v + "'");
        }
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

    private static void checkNames(BrokerConfig c, String source) throws BrokerConfigException {
        if (!c.brokerName().matches(NAME_PATTERN)) {
            throw fail(source, "brokerName", "must match " + NAME_PATTERN + ", got '" + c.brokerName() + "'");
        }
        if (!c.brokerClusterName().matches(NAME_PATTERN)) {
            throw fail(source, "brokerClusterName", "must match " + NAME_PATTERN + ", got '"
                    + c.brokerClusterName() + "'");
        }
        if (c.listenHost().isBlank()) {
            throw fail(source, "listenHost", "must be a local address, e.g. 127.0.0.1 or 0.0.0.0");
        }
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("*");
    }

    private static BrokerConfig fillBrokerIp(BrokerConfig c, String source) throws BrokerConfigException {
        if (!c.brokerIP1().isEmpty()) {
            if (isWildcard(c.brokerIP1())) {
                throw fail(source, "brokerIP1", "must be an address clients can dial, not a wildcard");
            }
            return c;
        }
        if (isWildcard(c.listenHost())) {
            throw fail(source, "brokerIP1", "is required when listenHost is a wildcard address ("
                    + c.listenHost() + ")");
        }
        return c.withBrokerIP1(c.listenHost());
    }

    private static void checkPeers(BrokerConfig c, String source) throws BrokerConfigException {
        Set<String> ids = new HashSet<>();
        Set<String> addrs = new HashSet<>();
        for (RaftPeer p : c.raftPeers()) {
            if (!ids.add(p.id())) {
                throw fail(source, "raftPeers", "peer id " + p.id() + " appears twice");
            }
            if (!addrs.add(p.address())) {
                throw fail(source, "raftPeers", "address " + p.address() + " is used by two peers");
            }
        }
        if (!ids.contains(c.raftSelfId())) {
            throw fail(source, "raftSelfId", "'" + c.raftSelfId() + "' does not appear in raftPeers " + ids);
        }
        RaftPeer self = c.raftSelf();
        boolean sameHost = self.host().equals(c.listenHost()) || self.host().equals(c.brokerIP1())
                || isWildcard(c.listenHost());
        int lp = c.listenPort();
        if (sameHost && (self.port() == lp || self.port() == lp - 2 || self.port() == lp + 1)) {
            throw fail(source, "raftPeers", "raft port " + self.port() + " of " + self.id() + " clashes with "
                    + "listenPort " + lp + " or the ports RocketMQ reserves next to it (" + (lp - 2) + " VIP, "
                    + (lp + 1) + " HA)");
        }
        if (c.raftJoinExisting() && c.raftPeers().size() < 2) {
            throw fail(source, "raftJoinExisting", "a member joining an existing group needs the group's members in"
                + " raftPeers besides itself");
        }
    }

    private static void checkBrokerPeers(BrokerConfig c, String source) throws BrokerConfigException {
        if (c.brokerPeers().isEmpty()) {
            return;
        }
        Set<String> raftIds = new HashSet<>();
        for (RaftPeer p : c.raftPeers()) {
            raftIds.add(p.id());
        }
        Set<String> ids = new HashSet<>();
        for (RaftPeer p : c.brokerPeers()) {
            if (!ids.add(p.id())) {
                throw fail(source, "brokerPeers", "peer id " + p.id() + " appears twice");
            }
        }
        if (!ids.equals(raftIds)) {
            throw fail(source, "brokerPeers", "must list exactly the ids of raftPeers " + new TreeSet<>(raftIds)
                    + ", got " + new TreeSet<>(ids));
        }
        String self = c.brokerAddrOf(c.raftSelf().nodeId());
        if (!c.brokerAddr().equals(self)) {
            throw fail(source, "brokerPeers", "the entry of " + c.raftSelfId() + " must be this broker's address "
                    + c.brokerAddr() + " (brokerIP1:listenPort), got " + self);
        }
    }

    private static void checkSendLimits(BrokerConfig c, String source) throws BrokerConfigException {
        if (c.sendBatchBytesMax() > MESSAGE_SIZE_LIMIT) {
            throw fail(source, "sendBatchBytesMax", "must be <= " + MESSAGE_SIZE_LIMIT + ", got "
                    + c.sendBatchBytesMax());
        }
        if (c.sendBatchBytesMax() > c.commitLogSegmentBytes() - SEGMENT_HEADROOM_BYTES) {
            throw fail(source, "sendBatchBytesMax", "must leave " + SEGMENT_HEADROOM_BYTES
                    + " bytes of a commit log segment free (commitLogSegmentBytes " + c.commitLogSegmentBytes()
                    + "), got " + c.sendBatchBytesMax());
        }
        if (c.pullMessagesMax() > PULL_MESSAGES_LIMIT) {
            throw fail(source, "pullMessagesMax", "must be <= " + PULL_MESSAGES_LIMIT + ", got " + c.pullMessagesMax());
        }
        if (c.pullBytesMax() > MESSAGE_SIZE_LIMIT) {
            throw fail(source, "pullBytesMax", "must be <= " + MESSAGE_SIZE_LIMIT
                    + " (a pull answer must fit a 16 MiB frame), got " + c.pullBytesMax());
        }
        if (c.sendPendingMax() < c.sendBatchMessagesMax()) {
            throw fail(source, "sendPendingMax", "must be >= sendBatchMessagesMax (" + c.sendBatchMessagesMax()
                    + "), got " + c.sendPendingMax());
        }
    }

    private static void checkRaftTiming(BrokerConfig c, String source) throws BrokerConfigException {
        long tick = c.raftTickMs();
        long hb = c.raftHeartbeatIntervalMs();
        long el = c.raftElectionTimeoutMs();
        if (hb % tick != 0) {
            throw fail(source, "raftHeartbeatIntervalMs", "must be a multiple of raftTickMs (" + tick + "), got "
                    + hb);
        }
        if (el % tick != 0) {
            throw fail(source, "raftElectionTimeoutMs", "must be a multiple of raftTickMs (" + tick + "), got " + el);
        }
        if (hb * 3 >= el) {
            throw fail(source, "raftElectionTimeoutMs", "must exceed 3 x raftHeartbeatIntervalMs (" + hb * 3
                    + "), got " + el);
        }
        if (c.durability() == DurabilityMode.QUORUM_FSYNC && c.flushMode() != FlushMode.SYNC) {
            throw fail(source, "flushMode", "must be SYNC when durability=quorum-fsync, got " + c.flushMode());
        }
    }

    private static void checkSizes(BrokerConfig c, String source) throws BrokerConfigException {
        if (c.messageSizeMax() > MESSAGE_SIZE_LIMIT) {
            throw fail(source, "messageSizeMax", "must be <= " + MESSAGE_SIZE_LIMIT
                    + " (a frame is at most 16 MiB), got " + c.messageSizeMax());
        }
        if (c.commitLogSegmentBytes() < c.messageSizeMax() + SEGMENT_HEADROOM_BYTES) {
            throw fail(source, "commitLogSegmentBytes", "must be >= messageSizeMax + " + SEGMENT_HEADROOM_BYTES
                    + " (" + (c.messageSizeMax() + SEGMENT_HEADROOM_BYTES) + "), got " + c.commitLogSegmentBytes());
        }
        if (c.defaultTopicQueueNums() > QUEUE_NUMS_LIMIT) {
            throw fail(source, "defaultTopicQueueNums", "must be <= " + QUEUE_NUMS_LIMIT + ", got "
                    + c.defaultTopicQueueNums());
        }
        if (c.offsetPendingQueuesMax() < c.offsetBatchUpdatesMax()) {
            throw fail(source, "offsetPendingQueuesMax", "must be >= offsetBatchUpdatesMax ("
                    + c.offsetBatchUpdatesMax() + "), got " + c.offsetPendingQueuesMax());
        }
    }

    private static void checkPeriods(BrokerConfig c, String source) throws BrokerConfigException {
        long period = c.registerNameServerPeriodMs();
        if (period < 1000 || period > 60_000) {
            throw fail(source, "registerNameServerPeriodMs", "must be in [1000, 60000], got " + period);
        }
        if (c.registerNameServerTimeoutMs() >= period) {
            throw fail(source, "registerNameServerTimeoutMs", "must be < registerNameServerPeriodMs (" + period
                    + "), got " + c.registerNameServerTimeoutMs());
        }
        if (period * 2 >= c.nameServerExpiryMs()) {
            throw fail(source, "nameServerExpiryMs", "must exceed 2 x registerNameServerPeriodMs (" + period * 2
                    + "), got " + c.nameServerExpiryMs());
        }
        if (c.clientExpiryScanIntervalMs() >= c.clientChannelExpiredTimeoutMs()) {
            throw fail(source, "clientExpiryScanIntervalMs", "must be < clientChannelExpiredTimeoutMs ("
                    + c.clientChannelExpiredTimeoutMs() + "), got " + c.clientExpiryScanIntervalMs());
        }
    }

    private static void checkMessaging(BrokerConfig c, String source) throws BrokerConfigException {
        if (c.timerMaxDelaySec() < 1 || c.timerMaxDelaySec() > 366L * 86_400) {
            throw fail(source, "timerMaxDelaySec", "must be in [1, 31622400] (one year), got " + c.timerMaxDelaySec());
        }
        if (c.transactionTimeoutMs() < 1 || c.transactionCheckIntervalMs() < 1) {
            throw fail(source, c.transactionTimeoutMs() < 1 ? "transactionTimeoutMs" : "transactionCheckIntervalMs",
                "must be positive");
        }
        if (c.transactionCheckMax() < 1) {
            throw fail(source, "transactionCheckMax", "must be at least 1, got " + c.transactionCheckMax());
        }
        if (c.queueLockExpiryMs() < 1000) {
            throw fail(source, "queueLockExpiryMs", "must be at least 1000, got " + c.queueLockExpiryMs());
        }
    }

    private static void checkSnapshots(BrokerConfig c, String source) throws BrokerConfigException {
        long interval = c.snapshotIntervalEntries();
        if (interval < SNAPSHOT_INTERVAL_MIN || interval > SNAPSHOT_INTERVAL_MAX) {
            throw fail(source, "snapshotIntervalEntries", "must be in [" + SNAPSHOT_INTERVAL_MIN + ", "
                + SNAPSHOT_INTERVAL_MAX + "], got " + c.snapshotIntervalEntries());
        }
        if (c.snapshotRetainCount() < 1 || c.snapshotRetainCount() > SNAPSHOT_RETAIN_MAX) {
            throw fail(source, "snapshotRetainCount", "must be in [1, " + SNAPSHOT_RETAIN_MAX + "], got "
                + c.snapshotRetainCount());
        }
    }

    /** Retention settings (docs/snapshots.md "Retention"), RocketMQ's names and meanings. */
    private static void checkRetention(BrokerConfig c, String source) throws BrokerConfigException {
        if (c.fileReservedTime() < 1) {
            throw fail(source, "fileReservedTime", "must be at least 1 (hours), got " + c.fileReservedTime());
        }
        parseDeleteWhen(source, c.deleteWhen());
        checkPercent(source, "diskMaxUsedSpaceRatio", c.diskMaxUsedSpaceRatio());
        checkPercent(source, "diskSpaceCleanForciblyRatio", c.diskSpaceCleanForciblyRatio());
        checkPercent(source, "diskSpaceWarningLevelRatio", c.diskSpaceWarningLevelRatio());
        if (c.diskSpaceCleanForciblyRatio() < c.diskMaxUsedSpaceRatio()) {
            throw fail(source, "diskSpaceCleanForciblyRatio", "must be >= diskMaxUsedSpaceRatio ("
                + c.diskMaxUsedSpaceRatio() + "), got " + c.diskSpaceCleanForciblyRatio());
        }
        if (c.diskSpaceWarningLevelRatio() < c.diskSpaceCleanForciblyRatio()) {
            throw fail(source, "diskSpaceWarningLevelRatio", "must be >= diskSpaceCleanForciblyRatio ("
                + c.diskSpaceCleanForciblyRatio() + "), got " + c.diskSpaceWarningLevelRatio());
        }
        if (c.cleanResourceInterval() < CLEAN_INTERVAL_MS_MIN) {
            throw fail(source, "cleanResourceInterval", "must be at least " + CLEAN_INTERVAL_MS_MIN
                + " (milliseconds), got " + c.cleanResourceInterval());
        }
    }

    private static void checkPercent(String source, String key, int v) throws BrokerConfigException {
        if (v < 1 || v > 99) {
            throw fail(source, key, "must be a percentage in [1, 99], got " + v);
        }
    }

    /**
     * The hours of {@code deleteWhen}: {@code HH} (0..23) separated by ';', e.g. "04" or "01;04" (RocketMQ's format).
     *
     * @throws BrokerConfigException naming the key when a part is not an hour
     */
    static Set<Integer> parseDeleteWhen(String source, String raw) throws BrokerConfigException {
        Set<Integer> hours = new TreeSet<>();
        for (String part : raw.split(";")) {
            String h = part.trim();
            if (h.isEmpty()) {
                continue;
            }
            int v;
            try {
                v = Integer.parseInt(h);
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0 || v > 23) {
                throw fail(source, "deleteWhen", "must list hours 00..23 separated by ';' (e.g. 04 or 01;04), got '"
                    + raw + "'");
            }
            hours.add(v);
        }
        if (hours.isEmpty()) {
            throw fail(source, "deleteWhen", "must list at least one hour 00..23 (e.g. 04), got '" + raw + "'");
        }
        return hours;
    }
}
