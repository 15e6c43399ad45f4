package io.raftmq.broker.config;

import io.raftmq.client.tls.TlsConfig;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.raft.driver.DurabilityMode;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The settings of one broker process (one Raft member of a broker group), loaded once from one properties file per
 * node in the spirit of RocketMQ's {@code broker.conf} and validated once ({@link #load}). Keys are exactly the
 * record component names below; {@link #DEFAULTS} lists every optional key with its default.
 *
 * <p><b>Unknown keys are an error</b>, not a warning: a misspelt durability or timeout key would otherwise leave
 * the broker silently running on a default. Missing required keys ({@link #REQUIRED}) are errors too. Every message
 * names the file and the key. Relations between settings are checked after each value parsed
 * (see {@link BrokerConfigValidator}).
 *
 * <p>Ports: a RocketMQ broker reserves {@code listenPort - 2} (VIP channel) and {@code listenPort + 1} (HA), so the
 * Raft port of a member must be none of listenPort, listenPort - 2, listenPort + 1 on the same host. The example
 * files in {@code conf/} use listen ports 10911/10921/10931 and Raft ports 10915/10925/10935.
 *
 * @param brokerClusterName          cluster name reported to the NameServer (default DefaultCluster)
 * @param brokerName                 broker group name = Raft group name (required)
 * @param listenHost                 local address the remoting server binds (default 0.0.0.0; e.g. 127.0.0.2)
 * @param listenPort                 remoting port clients dial (default 10911)
 * @param brokerIP1                  address advertised to clients and the NameServer (default listenHost, required
 *                                   when listenHost is a wildcard)
 * @param storePathRootDir           data directory of this node (required)
 * @param namesrvAddr                NameServer addresses, {@code host:port} separated by ';' (required)
 * @param raftPeers                  the group's members, {@code nX-host:port} separated by ';' (required)
 * @param raftSelfId                 this node's id among raftPeers (required)
 * @param durability                 quorum-fsync (default: a member acknowledges an append only after fsync, so a
 *                                   committed entry survives the power loss of every member) or quorum-memory
 *                                   (acknowledged from the page cache: survives any minority of process crashes,
 *                                   not a majority of power losses), see {@link DurabilityMode}
 * @param flushMode                  SYNC (default, group commit; required by quorum-fsync) or ASYNC (forced every
 *                                   flushIntervalMs), see {@link FlushMode}
 * @param flushIntervalMs            ASYNC force period
 * @param commitLogSegmentBytes      commit log segment size; must be equal on every member (positions depend on it)
 * @param raftTickMs                 length of one Raft tick
 * @param raftHeartbeatIntervalMs    leader heartbeat period; a multiple of raftTickMs
 * @param raftElectionTimeoutMs      base election timeout; a multiple of raftTickMs, more than 3 heartbeats
 * @param sendCommitTimeoutMs        how long a send waits for its Raft commit before answering SYSTEM_ERROR
 * @param metadataProposeTimeoutMs   how long an offset/topic/group change waits for its commit
 * @param longPollHoldMsMax          longest a pull request is held waiting for messages
 * @param messageSizeMax             largest message body accepted (RocketMQ's maxMessageSize, 4 MiB)
 * @param autoCreateTopicEnable      create unknown topics on send from TBW102 (TBW102 then has perm 7, else 6)
 * @param autoCreateSubscriptionGroup create unknown subscription groups on heartbeat/pull
 * @param defaultTopicQueueNums      queue count of TBW102 (RocketMQ's broker default 8)
 * @param registerNameServerPeriodMs registration period with every NameServer (30 s)
 * @param registerNameServerTimeoutMs timeout of one registration call
 * @param nameServerExpiryMs         how long the NameServer keeps us without a registration (sent to it)
 * @param clientChannelExpiredTimeoutMs drop a client not heard from for this long (120 s)
 * @param clientExpiryScanIntervalMs period of the client expiry scan (10 s)
 * @param offsetFlushIntervalMs      pending consumer-offset commits are proposed as one entry this often
 * @param offsetBatchUpdatesMax      offset updates per Raft entry
 * @param offsetPendingQueuesMax     distinct (group, topic, queue) keys waiting to be proposed; more are refused
 * @param offsetInflightProposalsMax offset entries proposed and not yet committed at once
 * @param brokerPeers                every member's client-facing broker address, {@code nX-host:port} separated by
 *                                   ';' with the same ids as raftPeers (a follower forwards sends to the leader's);
 *                                   empty (default) disables forwarding: a follower then answers sends with 14
 * @param sendBatchBytesMax          stored-message bytes per MESSAGE entry: concurrent sends share one Raft entry
 * @param sendBatchMessagesMax       stored messages per MESSAGE entry
 * @param sendInflightEntriesMax     MESSAGE entries proposed and not yet committed at once; sends arriving
 *                                   meanwhile wait and are batched into the next entry (1: every entry costs each
 *                                   member about a dozen syscalls and a few thread wake-ups whatever its size, so
 *                                   fewer, larger entries cost less CPU per message; against 2, 1 gave 18-42% less
 *                                   broker CPU per message and more msg/s at 16 and 64 producer threads, the same at
 *                                   one: docs/benchmarks.md "One MESSAGE entry in flight")
 * @param sendPendingMax             sends waiting for an entry; more are refused with 2 SYSTEM_BUSY
 * @param pullMessagesMax            messages per pull answer, at most 1024 (RocketMQ's
 *                                   maxTransferCountOnMessageInMemory; 32 as in docs/protocol.md): a consumer asking
 *                                   for more (its pullBatchSize) gets this many
 * @param pullBytesMax               message bytes per pull answer (maxTransferBytesOnMessageInMemory; 256 KiB), below
 *                                   16 MiB - 64 KiB; a single larger message still goes alone
 * @param messageDelayLevel          the delay of each delay level ({@link DelayLevels}; RocketMQ's 18 by default)
 * @param timerMaxDelaySec           the furthest a timer message may be scheduled ahead (3 days); further is 13
 * @param transactionTimeoutMs       a half message is first checked back this long after it was stored (6 s),
 *                                   unless it carries CHECK_IMMUNITY_TIME_IN_SECONDS
 * @param transactionCheckIntervalMs an unresolved half message is checked back again this often (30 s)
 * @param transactionCheckMax        after this many check-backs (15) a half message is discarded to
 *                                   TRANS_CHECK_MAX_TIME_TOPIC
 * @param queueLockExpiryMs          an orderly consumer's queue lock lapses this long after its last lock call
 *                                   (60 s)
 * @param snapshotIntervalEntries    a snapshot is taken every this many applied entries (100,000;
 *                                   docs/snapshots.md)
 * @param snapshotRetainCount        snapshots kept in {@code <storePathRootDir>/snapshot/} (3; the compaction
 *                                   point is kept besides)
 * @param fileReservedTime           retention (docs/snapshots.md "Retention"): a commit log segment whose newest
 *                                   record is older than this many hours has expired (RocketMQ's, 72)
 * @param fileReservedTimeMs         the same in milliseconds, overriding fileReservedTime when not 0 (default 0;
 *                                   tests and short-lived demos)
 * @param deleteWhen                 the hours of the day (broker's time zone) at which expired segments are deleted,
 *                                   {@code HH} separated by ';' (RocketMQ's, "04"); at other hours only when the disk
 *                                   is fuller than diskMaxUsedSpaceRatio
 * @param diskMaxUsedSpaceRatio      percent of the store's file system in use above which expired segments are
 *                                   deleted at any hour, and a leader stops keeping segments for live followers (75)
 * @param diskSpaceCleanForciblyRatio percent in use above which the oldest segments are deleted even if not expired,
 *                                   deleteFileBatchMax per run at most (85)
 * @param diskSpaceWarningLevelRatio percent in use above which producers' sends are refused with 14 and a
 *                                   [DISK_FULL] remark until retention frees space (90)
 * @param cleanResourceInterval      milliseconds between two retention runs (RocketMQ's name, 10 s)
 * @param deleteFileBatchMax         commit log segments deleted per retention run at most (10)
 * @param retentionFollowerSilentMsMax a leader keeps the segments a follower still needs while that follower was
 *                                   heard from within this many milliseconds (60 s) and the disk is not above
 *                                   diskMaxUsedSpaceRatio; a follower silent for longer is caught up by snapshot
 * @param raftInitialState           {@code new} (default): a member without raft state starts as a fresh member of
 *                                   a new group; {@code existing}: this member belongs to a running group, so missing
 *                                   raft state means its data was lost and it starts repairing (no votes until it
 *                                   caught up; docs/raft-driver.md, "Repair")
 * @param raftJoinExisting           this member joins a group that already runs without it (false): its own
 *                                   entry in raftPeers is not part of the group's initial configuration, so it
 *                                   neither campaigns nor counts until the leader adds it (raftmq-admin raft
 *                                   add-member, then promote; docs/raft-driver.md "Membership")
 * @param sendHeldBytesMax           bytes of sends the leader accepted and has not answered yet (waiting for an entry
 *                                   or in one not yet committed); a send that would pass it is refused with 2
 *                                   SYSTEM_BUSY, on which clients back off (32 MiB; a single larger send is taken
 *                                   when nothing else is held)
 * @param enablePropertyFilter       accept SQL92 subscriptions (docs/consumer-protocol.md "SQL92 filters"); off: their
 *                                   consumers are refused at start and their pulls with code 1, as RocketMQ does
 * @param metricsHost                local address of the Prometheus {@code /metrics} endpoint (docs/metrics.md;
 *                                   default 127.0.0.1: metrics stay on the machine unless asked otherwise)
 * @param metricsPort                its TCP port; 0 (the default) = no endpoint: a library default must not open a
 *                                   port nobody asked for, and no fixed port fits every member on one host. The
 *                                   files in {@code conf/} use listenPort + 5 (10916/10926/10936)
 * @param tls                        TLS of the client port and of the broker's own outgoing remoting connections: the
 *                                   {@code tls.*} keys of {@link TlsConfig} (docs/security.md "TLS"; off by default)
 * @param raftTls                    mutual TLS on the raft port, with the certificate, key and CA of
 *                                   {@code tls.server.*} (docs/security.md "Raft peer authentication"; false)
 * @param raftGroupSecret            the group secret peers prove on every raft connection: the secret itself, or
 *                                   {@code file:PATH}; empty (default) = no peer handshake
 * @param acl                        ACL on the client port: keys aclEnable, aclFile, aclReloadIntervalMs,
 *                                   aclBrokerAccount ({@link AclConfig}, docs/security.md)
 */
public record BrokerConfig(String brokerClusterName, String brokerName, String listenHost, int listenPort,
                           String brokerIP1, String storePathRootDir, List<String> namesrvAddr,
                           List<RaftPeer> raftPeers, String raftSelfId, DurabilityMode durability, FlushMode flushMode,
                           long flushIntervalMs, long commitLogSegmentBytes, long raftTickMs,
                           long raftHeartbeatIntervalMs, long raftElectionTimeoutMs, long sendCommitTimeoutMs,
                           long metadataProposeTimeoutMs, long longPollHoldMsMax, int messageSizeMax,
                           boolean autoCreateTopicEnable, boolean autoCreateSubscriptionGroup,
                           int defaultTopicQueueNums, long registerNameServerPeriodMs,
                           long registerNameServerTimeoutMs, long nameServerExpiryMs,
                           long clientChannelExpiredTimeoutMs, long clientExpiryScanIntervalMs,
                           long offsetFlushIntervalMs, int offsetBatchUpdatesMax, int offsetPendingQueuesMax,
                           int offsetInflightProposalsMax, List<RaftPeer> brokerPeers, int sendBatchBytesMax,
                           int sendBatchMessagesMax, int sendInflightEntriesMax, int sendPendingMax,
                           int pullMessagesMax, int pullBytesMax, DelayLevels messageDelayLevel,
                           long timerMaxDelaySec, long transactionTimeoutMs, long transactionCheckIntervalMs,
                           int transactionCheckMax, long queueLockExpiryMs, long snapshotIntervalEntries,
                           int snapshotRetainCount, int fileReservedTime,
                           long fileReservedTimeMs, String deleteWhen, int diskMaxUsedSpaceRatio,
                           int diskSpaceCleanForciblyRatio, int diskSpaceWarningLevelRatio,
                           long cleanResourceInterval, int deleteFileBatchMax, long retentionFollowerSilentMsMax,
                           String raftInitialState, boolean raftJoinExisting, long sendHeldBytesMax,
                           boolean enablePropertyFilter, String metricsHost, int metricsPort, TlsConfig tls,
                           boolean raftTls, String raftGroupSecret, AclConfig acl) {

    /** {@link #raftInitialState()}: a member of a new group. */
    public static final String RAFT_INITIAL_STATE_NEW = "new";
    /** {@link #raftInitialState()}: a member of a running group (missing raft state is a loss). */
    public static final String RAFT_INITIAL_STATE_EXISTING = "existing";

    /** Keys without a default. */
    public static final Set<String> REQUIRED =
            Set.of("brokerName", "storePathRootDir", "namesrvAddr", "raftPeers", "raftSelfId");

    /** Every optional key with its default value, as it would be written in the file. */
    public static final Map<String, String> DEFAULTS = defaults();

    public BrokerConfig {
        namesrvAddr = List.copyOf(namesrvAddr);
        raftPeers = List.copyOf(raftPeers);
        brokerPeers = List.copyOf(brokerPeers);
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("brokerClusterName", "DefaultCluster");
        d.put("listenHost", "0.0.0.0");
        d.put("listenPort", "10911");
        d.put("brokerIP1", "");
        d.put("durability", BrokerConfigValidator.durabilityText(DurabilityMode.QUORUM_FSYNC));
        d.put("flushMode", FlushMode.SYNC.name());
        d.put("flushIntervalMs", "200");
        d.put("commitLogSegmentBytes", Long.toString(1L << 30));
        d.put("raftTickMs", "50");
        d.put("raftHeartbeatIntervalMs", "100");
        d.put("raftElectionTimeoutMs", "500");
        d.put("sendCommitTimeoutMs", "3000");
        d.put("metadataProposeTimeoutMs", "3000");
        d.put("longPollHoldMsMax", "30000");
        d.put("messageSizeMax", Integer.toString(4 * 1024 * 1024));
        d.put("autoCreateTopicEnable", "true");
        d.put("autoCreateSubscriptionGroup", "true");
        d.put("defaultTopicQueueNums", "8");
        d.put("registerNameServerPeriodMs", "30000");
        d.put("registerNameServerTimeoutMs", "3000");
        d.put("nameServerExpiryMs", "120000");
        d.put("clientChannelExpiredTimeoutMs", "120000");
        d.put("clientExpiryScanIntervalMs", "10000");
        d.put("offsetFlushIntervalMs", "200");
        d.put("offsetBatchUpdatesMax", "1024");
        d.put("offsetPendingQueuesMax", "65536");
        d.put("offsetInflightProposalsMax", "4");
        d.put("brokerPeers", "");
        d.put("sendBatchBytesMax", Integer.toString(4 * 1024 * 1024));
        d.put("sendBatchMessagesMax", "1024");
        d.put("sendInflightEntriesMax", "1");
        d.put("sendPendingMax", "16384");
        d.put("pullMessagesMax", "32");
        d.put("pullBytesMax", Integer.toString(256 * 1024));
        d.put("messageDelayLevel", DelayLevels.DEFAULT_TEXT);
        d.put("timerMaxDelaySec", Long.toString(3L * 86_400));
        d.put("transactionTimeoutMs", "6000");
        d.put("transactionCheckIntervalMs", "30000");
        d.put("transactionCheckMax", "15");
        d.put("queueLockExpiryMs", "60000");
        d.put("snapshotIntervalEntries", "100000");
        d.put("snapshotRetainCount", "3");
        d.put("fileReservedTime", "72");
        d.put("fileReservedTimeMs", "0");
        d.put("deleteWhen", "04");
        d.put("diskMaxUsedSpaceRatio", "75");
        d.put("diskSpaceCleanForciblyRatio", "85");
        d.put("diskSpaceWarningLevelRatio", "90");
        d.put("cleanResourceInterval", "10000");
        d.put("deleteFileBatchMax", "10");
        d.put("retentionFollowerSilentMsMax", "60000");
        d.put("raftInitialState", RAFT_INITIAL_STATE_NEW);
        d.put("raftJoinExisting", "false");
        d.put("sendHeldBytesMax", Long.toString(32L << 20));
        d.put("enablePropertyFilter", "true");
        d.put("metricsHost", "127.0.0.1");
        d.put("metricsPort", "0");
        d.put("raftTls", "false");
        d.put("raftGroupSecret", "");
        return java.util.Collections.unmodifiableMap(d);
    }

    /**
     * Loads and validates {@code file} (UTF-8 Java properties).
     *
     * @throws BrokerConfigException if the file cannot be read or the configuration is invalid (message names the
     *     file and the key)
     */
    public static BrokerConfig load(Path file) throws BrokerConfigException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new BrokerConfigException(file + ": cannot read broker config: " + e.getMessage(), e);
        }
        Map<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k));
        }
        return fromProperties(m, file.toString());
    }

    /**
     * Builds and validates a configuration from key/value pairs; {@code source} names them in messages.
     *
     * @throws BrokerConfigException if the configuration is invalid
     */
    public static BrokerConfig fromProperties(Map<String, String> props, String source)
            throws BrokerConfigException {
        checkKeys(props, source);
        RecordComponent[] comps = BrokerConfig.class.getRecordComponents();
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            String key = comps[i].getName();
            if (comps[i].getType() == TlsConfig.class) { // the tls.* keys (docs/security.md)
                types[i] = TlsConfig.class;
                args[i] = SecurityChecks.parseTls(source, props);
                continue;
            }
            if (comps[i].getType() == AclConfig.class) { // the acl* keys (docs/security.md "ACL")
                types[i] = AclConfig.class;
                args[i] = AclConfig.fromProperties(props, source);
                continue;
            }
            String raw = props.containsKey(key) ? props.get(key).trim() : DEFAULTS.get(key);
            if (raw == null || raw.isEmpty() && REQUIRED.contains(key)) {
                throw new BrokerConfigException(source + ": missing required key '" + key + "'");
            }
            types[i] = comps[i].getType();
            args[i] = BrokerConfigValidator.parse(source, key, raw, comps[i]);
        }
        BrokerConfig c = construct(types, args);
        return BrokerConfigValidator.validate(c, source);
    }

    private static void checkKeys(Map<String, String> props, String source) throws BrokerConfigException {
        Set<String> known = new HashSet<>(DEFAULTS.keySet());
        known.addAll(AclConfig.DEFAULTS.keySet());
        known.addAll(REQUIRED);
        Set<String> unknown = new TreeSet<>(props.keySet());
        unknown.removeAll(known);
        unknown.removeIf(k -> k.startsWith(TlsConfig.PREFIX)); // checked by TlsConfig
        if (!unknown.isEmpty()) {
            throw new BrokerConfigException(source + ": unknown key(s) " + unknown
                    + " (unknown keys are rejected so that a misspelt setting never falls back to a default)");
        }
    }

    private static BrokerConfig construct(Class<?>[] types, Object[] args) {
        try {
            Constructor<BrokerConfig> ctor = BrokerConfig.class.getDeclaredConstructor(types);
            return ctor.newInstance(args);
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
            throw new IllegalStateException("BrokerConfig canonical constructor unusable", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("BrokerConfig constructor failed", e.getCause());
        }
    }

    /** This node's entry in {@link #raftPeers()} (present: checked at load). */
    public RaftPeer raftSelf() {
        for (RaftPeer p : raftPeers) {
            if (p.id().equals(raftSelfId)) {
                return p;
            }
        }
        throw new IllegalStateException("raftSelfId " + raftSelfId + " not in raftPeers");
    }

    /** {@code brokerIP1:listenPort}: the address clients dial and the NameServer publishes. */
    public String brokerAddr() {
        return brokerIP1 + ":" + listenPort;
    }

    /**
     * The brokerId this node registers with while it is a follower (docs/protocol.md §3.10: numeric part of its id
     * + 1).
     */
    public long followerBrokerId() {
        return raftSelf().nodeId();
    }

    /**
     * Every setting as properties text values, keys in record order (GET_BROKER_CONFIG answers with this). Lists
     * are joined with ';' as in the file; the tls.* keys replace {@code tls}; secrets are masked.
     */
    public Map<String, String> toProperties() {
        Map<String, String> m = new LinkedHashMap<>();
        for (RecordComponent rc : BrokerConfig.class.getRecordComponents()) {
            Object v;
            try {
                v = rc.getAccessor().invoke(this);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + rc.getName(), e);
            }
            if (v instanceof TlsConfig t) {
                m.putAll(t.toSettings());
            } else if (v instanceof AclConfig a) {
                m.putAll(a.toProperties());
            } else if (rc.getName().equals("raftGroupSecret") && !raftGroupSecret.isBlank()
                && !raftGroupSecret.startsWith("file:")) {
                m.put(rc.getName(), "***"); // never answered to GET_BROKER_CONFIG
            } else {
                m.put(rc.getName(), BrokerConfigValidator.format(v));
            }
        }
        return m;
    }

    /** The client-facing broker address of the member with Raft node id {@code nodeId}, or null if not configured. */
    public String brokerAddrOf(long nodeId) {
        for (RaftPeer p : brokerPeers) {
            if (p.nodeId() == nodeId) {
                return p.address();
            }
        }
        return null;
    }

    /** A copy with {@code brokerIP1} replaced (validation fills it in from listenHost). */
    BrokerConfig withBrokerIP1(String ip) {
        return new BrokerConfig(brokerClusterName, brokerName, listenHost, listenPort, ip, storePathRootDir,
                namesrvAddr, raftPeers, raftSelfId, durability, flushMode, flushIntervalMs, commitLogSegmentBytes,
                raftTickMs, raftHeartbeatIntervalMs, raftElectionTimeoutMs, sendCommitTimeoutMs,
                metadataProposeTimeoutMs, longPollHoldMsMax, messageSizeMax, autoCreateTopicEnable,
                autoCreateSubscriptionGroup, defaultTopicQueueNums, registerNameServerPeriodMs,
                registerNameServerTimeoutMs, nameServerExpiryMs, clientChannelExpiredTimeoutMs,
                clientExpiryScanIntervalMs, offsetFlushIntervalMs, offsetBatchUpdatesMax, offsetPendingQueuesMax,
                offsetInflightProposalsMax, brokerPeers, sendBatchBytesMax, sendBatchMessagesMax,
                sendInflightEntriesMax, sendPendingMax, pullMessagesMax, pullBytesMax, messageDelayLevel,
                timerMaxDelaySec, transactionTimeoutMs, transactionCheckIntervalMs, transactionCheckMax,
                queueLockExpiryMs, snapshotIntervalEntries, snapshotRetainCount, fileReservedTime, fileReservedTimeMs,
                deleteWhen, diskMaxUsedSpaceRatio, diskSpaceCleanForciblyRatio, diskSpaceWarningLevelRatio,
                cleanResourceInterval, deleteFileBatchMax, retentionFollowerSilentMsMax, raftInitialState,
                raftJoinExisting, sendHeldBytesMax, enablePropertyFilter, metricsHost, metricsPort, tls, raftTls,
                raftGroupSecret, acl);
    }

    /** How old a segment's newest record must be for the segment to expire: fileReservedTimeMs if set, else hours. */
    public long fileReservedMs() {
        return fileReservedTimeMs > 0 ? fileReservedTimeMs : fileReservedTime * 3_600_000L;
    }

    /** The hours of {@link #deleteWhen()} (0..23; validated at load). */
    public Set<Integer> deleteWhenHours() {
        try {
            return StorageChecks.parseDeleteWhen("deleteWhen", deleteWhen);
        } catch (BrokerConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Whether this member belongs to a running group ({@code raftInitialState=existing}). */
    public boolean joinsExistingGroup() {
        return RAFT_INITIAL_STATE_EXISTING.equals(raftInitialState);
    }

    /** The ids of all peers but this one, in file order. */
    public List<RaftPeer> otherPeers() {
        List<RaftPeer> l = new ArrayList<>();
        for (RaftPeer p : raftPeers) {
            if (!p.id().equals(raftSelfId)) {
                l.add(p);
            }
        }
        return l;
    }
}
