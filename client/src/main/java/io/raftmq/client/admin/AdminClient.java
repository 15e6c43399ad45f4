package io.raftmq.client.admin;

import io.raftmq.client.instance.ClientConfig;
import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.instance.ClientLifecycle;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.Connection;
import io.raftmq.client.protocol.body.ClusterInfo;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.protocol.body.TopicOffset;
import io.raftmq.client.protocol.body.TopicStatsTable;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.body.TopicConfigSerializeWrapper;
import io.raftmq.client.protocol.body.TopicList;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.header.CreateTopicRequestHeader;
import io.raftmq.client.protocol.header.DeleteSubscriptionGroupRequestHeader;
import io.raftmq.client.protocol.header.DeleteTopicFromNamesrvRequestHeader;
import io.raftmq.client.protocol.header.GetRouteInfoRequestHeader;
import io.raftmq.client.protocol.header.TopicRequestHeader;
import io.raftmq.client.route.TopicRoute;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The SDK's admin API (docs/sdk.md "Admin"): topics, consumer groups, consumer progress, cluster and Raft status and
 * leadership transfer, over the RocketMQ admin requests a RaftMQ broker answers as mqadmin expects (docs/protocol.md
 * §2.11) plus RaftMQ's RAFT_TRANSFER_LEADERSHIP (§2.13).
 * <pre>
 * AdminClient admin = new AdminClient(ClientConfig.defaults(List.of("127.0.0.1:9876")));
 * admin.start();
 * admin.createTopic("Orders", 8);
 * ConsumerProgress p = admin.consumerProgress("OrdersCG");   // p.totalLag()
 * ClusterStatus s = admin.clusterStatus();                   // role, term, commit index per member
 * admin.transferLeadership("broker-a", "10.0.0.2:10911");
 * admin.shutdown();
 * </pre>
 * Where requests go: NameServer requests (106, 105, 206, 216) to the configured NameServers in order until one
 * answers; writes and reads of broker state to each broker group's leader, found by asking every registered member
 * for its runtime info (28), and found again when the one asked answers 14 or not at all (a few attempts). A change
 * that concerns every broker group (create or delete a topic or a group) goes to every group of the cluster.
 *
 * <p>Threads: every method has an {@code ...Async} form that returns at once and completes on the client instance's
 * callback executor; the plain form waits at most {@code operationTimeoutMs}. Each request waits at most
 * {@code callTimeoutMs}. No thread per request. Failures are {@link AdminException}s with the server's code and
 * remark. Thread-safe after {@link #start()}.
 */
public final class AdminClient implements AutoCloseable {
    public static final long CALL_TIMEOUT_MS_DEFAULT = 5_000;
    public static final long OPERATION_TIMEOUT_MS_DEFAULT = 20_000;
    /** extFields of RAFT_TRANSFER_LEADERSHIP (docs/protocol.md §2.13). */
    static final String TRANSFER_TO = "to";
    static final String TRANSFER_LEADER = "leaderAddr";
    static final String TRANSFER_TERM = "term";
    /** Redirects a transfer follows ("ask the leader" answers). */
    static final int TRANSFER_REDIRECTS_MAX = 3;

    private final ClientInstance instance;
    private final ClientLifecycle lifecycle;
    private final AdminCalls calls;
    private final AdminMessages messages;
    private final AdminGroups groups;
    private final long operationTimeoutMs;

    /** An admin client with its own client instance and the default timeouts. */
    public AdminClient(ClientConfig config) {
        this(new ClientInstance(config), true, CALL_TIMEOUT_MS_DEFAULT, OPERATION_TIMEOUT_MS_DEFAULT);
    }

    /** An admin client with its own client instance: each request waits at most {@code callTimeoutMs}, a call in all
     *  at most {@code operationTimeoutMs}. */
    public AdminClient(ClientConfig config, long callTimeoutMs, long operationTimeoutMs) {
        this(new ClientInstance(config), true, callTimeoutMs, operationTimeoutMs);
    }

    /** An admin client on a shared, started client instance (not shut down by {@link #shutdown()}). */
    public AdminClient(ClientInstance shared, long callTimeoutMs, long operationTimeoutMs) {
        this(shared, false, callTimeoutMs, operationTimeoutMs);
    }

    private AdminClient(ClientInstance instance, boolean ownsInstance, long callTimeoutMs, long operationTimeoutMs) {
        if (callTimeoutMs <= 0 || operationTimeoutMs < callTimeoutMs) {
            throw new IllegalArgumentException("callTimeoutMs must be > 0 and operationTimeoutMs >= callTimeoutMs, got "
                    + callTimeoutMs + " and " + operationTimeoutMs);
        }
        this.instance = instance;
        this.lifecycle = new ClientLifecycle(instance, ownsInstance, "admin client");
        this.calls = new AdminCalls(instance, callTimeoutMs);
        this.messages = new AdminMessages(calls);
        this.groups = new AdminGroups(calls);
        this.operationTimeoutMs = operationTimeoutMs;
    }

    public synchronized void start() {
        lifecycle.beginStart();
        lifecycle.markStarted();
    }

    /** Stops; with its own instance, closes every connection and ends its threads. Idempotent. */
    public synchronized void shutdown() {
        lifecycle.markStopped();
        lifecycle.endShutdown();
    }

    @Override
    public void close() {
        shutdown();
    }

    // ---- topics

    /** {@link #createTopic(TopicConfig, String)} of a normal topic (perm 6) on every broker group. */
    public void createTopic(String topic, int queues) throws AdminException, InterruptedException {
        await(createTopicAsync(TopicConfig.of(topic, queues), null));
    }

    /**
     * Creates or updates {@code config} (UPDATE_AND_CREATE_TOPIC 17) on the leader of every broker group of
     * {@code cluster} (every group when null); done once every leader applied it. The brokers register the topic
     * with the NameServer themselves; a route may show it a moment later.
     */
    public void createTopic(TopicConfig config, String cluster) throws AdminException, InterruptedException {
        await(createTopicAsync(config, cluster));
    }

    public CompletableFuture<Void> createTopicAsync(TopicConfig config, String cluster) {
        checkStarted();
        if (config.readQueueNums() <= 0 || config.writeQueueNums() <= 0) {
            throw new IllegalArgumentException("a topic needs at least one read and one write queue: " + config);
        }
        CreateTopicRequestHeader h = new CreateTopicRequestHeader(config.topicName(), TopicRoute.DEFAULT_TOPIC,
                config.readQueueNums(), config.writeQueueNums(), config.perm(), config.topicFilterType(),
                config.topicSysFlag(), config.order(), attributes(config.attributes()), null);
        return publish(eachGroup(cluster, g -> calls.onLeader(g.brokerName(),
                () -> RemotingCommand.createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, h), "create topic "
                        + config.topicName(), r -> null)));
    }

    /**
     * Deletes {@code topic} (DELETE_TOPIC_IN_BROKER 215) on the leader of every broker group that holds it, then
     * from every NameServer (DELETE_TOPIC_IN_NAMESRV 216). Its queues and consumer offsets go with it.
     */
    public void deleteTopic(String topic) throws AdminException, InterruptedException {
        await(deleteTopicAsync(topic));
    }

    public CompletableFuture<Void> deleteTopicAsync(String topic) {
        checkStarted();
        CompletableFuture<Void> brokers = eachGroup(null, g -> calls.onLeader(g.brokerName(),
                () -> RemotingCommand.createRequest(RequestCode.DELETE_TOPIC_IN_BROKER, new TopicRequestHeader(topic,
                        null)), "delete topic " + topic, r -> null));
        return publish(brokers.thenCompose(v -> {
            List<CompletableFuture<Object>> ns = new ArrayList<>();
            for (String addr : instance.config().namesrvAddrs()) {
                ns.add(calls.call(addr, RemotingCommand.createRequest(RequestCode.DELETE_TOPIC_IN_NAMESRV,
                        new DeleteTopicFromNamesrvRequestHeader(topic, null)), "delete topic " + topic, r -> null));
            }
            return CompletableFuture.allOf(ns.toArray(new CompletableFuture<?>[0]));
        }));
    }

    /** Every topic the NameServer routes (GET_ALL_TOPIC_LIST_FROM_NAMESERVER 206), sorted. */
    public List<String> listTopics() throws AdminException, InterruptedException {
        return await(listTopicsAsync());
    }

    public CompletableFuture<List<String>> listTopicsAsync() {
        checkStarted();
        return publish(calls.namesrv(
                () -> RemotingCommand.createRequest(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER), "list topics",
                r -> List.copyOf(new TreeSet<>(TopicList.decode(r.bodyBytes()).topicList()))));
    }

    /** The NameServer's route of {@code topic} (GET_ROUTEINFO_BY_TOPIC 105); 17 when it has none. */
    public TopicRouteData topicRoute(String topic) throws AdminException, InterruptedException {
        return await(topicRouteAsync(topic));
    }

    public CompletableFuture<TopicRouteData> topicRouteAsync(String topic) {
        checkStarted();
        return publish(calls.namesrv(() -> RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC,
                new GetRouteInfoRequestHeader(topic, null)), "route of " + topic, r -> {
                    if (r.bodyLength() == 0) {
                        throw new CompletionException(new AdminException(ResponseCode.TOPIC_NOT_EXIST, null, null,
                                "no route for " + topic, null));
                    }
                    return TopicRouteData.decode(r.bodyBytes());
                }));
    }

    /** The topic configurations the leader of {@code group} holds (GET_ALL_TOPIC_CONFIG 21), by name. */
    public Map<String, TopicConfig> topicConfigs(String group) throws AdminException, InterruptedException {
        return await(topicConfigsAsync(group));
    }

    public CompletableFuture<Map<String, TopicConfig>> topicConfigsAsync(String group) {
        checkStarted();
        return publish(calls.onLeader(group, () -> RemotingCommand.createRequest(RequestCode.GET_ALL_TOPIC_CONFIG),
                "topic configs", r -> Map.copyOf(new TreeMap<>(TopicConfigSerializeWrapper.decode(r.bodyBytes())
                        .topicConfigTable()))));
    }

    /**
     * The queues of {@code topic} on every broker group its route names (GET_TOPIC_STATS_INFO 202 to each leader):
     * per queue min and max offset and the store time of the last message (0 if unknown), the put rates summed.
     * 17 when the NameServer routes no such topic.
     */
    public TopicStatsTable topicStats(String topic) throws AdminException, InterruptedException {
        return await(topicStatsAsync(topic));
    }

    public CompletableFuture<TopicStatsTable> topicStatsAsync(String topic) {
        checkStarted();
        return publish(eachRouted(topic, bd -> calls.onLeader(bd.brokerName(), () -> RemotingCommand.createRequest(
                RequestCode.GET_TOPIC_STATS_INFO, new TopicRequestHeader(topic, null)), "stats of " + topic,
                r -> TopicStatsTable.decode(r.bodyBytes()))).thenApply(ts -> {
                    TreeMap<MessageQueue, TopicOffset> all = new TreeMap<>();
                    double tps = 0;
                    for (TopicStatsTable t : ts) {
                        all.putAll(t.offsetTable());
                        tps += t.topicPutTps();
                    }
                    return new TopicStatsTable(all, tps);
                }));
    }

    // ---- consumer groups

    /** Creates (or updates) {@code group} with the broker's defaults on every broker group. */
    public void createGroup(String group) throws AdminException, InterruptedException {
        await(createGroupAsync(SubscriptionGroupConfig.defaults(group), null));
    }

    /** Creates or updates {@code config} (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP 200) on every group of a cluster. */
    public void createGroup(SubscriptionGroupConfig config, String cluster) throws AdminException,
            InterruptedException {
        await(createGroupAsync(config, cluster));
    }

    public CompletableFuture<Void> createGroupAsync(SubscriptionGroupConfig config, String cluster) {
        checkStarted();
        byte[] body = config.encode();
        return publish(eachGroup(cluster, g -> calls.onLeader(g.brokerName(),
                () -> RemotingCommand.createRequest(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP).setBody(body),
                "create group " + config.groupName(), r -> null)));
    }

    /** Deletes {@code group} (DELETE_SUBSCRIPTIONGROUP 207) on every broker group, its offsets too if asked. */
    public void deleteGroup(String group, boolean cleanOffsets) throws AdminException, InterruptedException {
        await(deleteGroupAsync(group, cleanOffsets));
    }

    public CompletableFuture<Void> deleteGroupAsync(String group, boolean cleanOffsets) {
        checkStarted();
        return publish(eachGroup(null, g -> calls.onLeader(g.brokerName(),
                () -> RemotingCommand.createRequest(RequestCode.DELETE_SUBSCRIPTIONGROUP,
                        new DeleteSubscriptionGroupRequestHeader(group, cleanOffsets)), "delete group " + group,
                r -> null)));
    }

    /** Every consumer group of every broker group (GET_ALL_SUBSCRIPTIONGROUP_CONFIG 201), by name. */
    public Map<String, SubscriptionGroupConfig> listGroups() throws AdminException, InterruptedException {
        return await(listGroupsAsync());
    }

    public CompletableFuture<Map<String, SubscriptionGroupConfig>> listGroupsAsync() {
        checkStarted();
        return publish(calls.groups(null).thenCompose(gs -> {
            List<CompletableFuture<Map<String, SubscriptionGroupConfig>>> asks = new ArrayList<>();
            for (BrokerData g : gs) {
                asks.add(calls.onLeader(g.brokerName(),
                        () -> RemotingCommand.createRequest(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG),
                        "list groups", r -> AdminBodies.subscriptionGroups(r.bodyBytes())));
            }
            return CompletableFuture.allOf(asks.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
                Map<String, SubscriptionGroupConfig> all = new TreeMap<>();
                for (CompletableFuture<Map<String, SubscriptionGroupConfig>> f : asks) {
                    all.putAll(f.join());
                }
                return Map.copyOf(all);
            });
        }));
    }

    /**
     * The progress of consumer group {@code group} on every broker group (GET_CONSUME_STATS 208): every queue it has
     * an offset for, or, with {@code topic}, every queue of that topic.
     */
    public ConsumerProgress consumerProgress(String group, String topic) throws AdminException,
            InterruptedException {
        return await(consumerProgressAsync(group, topic));
    }

    /** {@link #consumerProgress(String, String)} of every topic the group consumed. */
    public ConsumerProgress consumerProgress(String group) throws AdminException, InterruptedException {
        return await(consumerProgressAsync(group, null));
    }

    public CompletableFuture<ConsumerProgress> consumerProgressAsync(String group, String topic) {
        checkStarted();
        return publish(groups.progress(group, topic));
    }

    /**
     * The clients of consumer group {@code group} online at each broker group's leader (GET_CONSUMER_CONNECTION_LIST
     * 203), by client id; empty when none is (206 CONSUMER_NOT_ONLINE everywhere).
     */
    public List<Connection> consumerConnections(String group) throws AdminException, InterruptedException {
        return await(consumerConnectionsAsync(group));
    }

    public CompletableFuture<List<Connection>> consumerConnectionsAsync(String group) {
        checkStarted();
        return publish(groups.connections(group));
    }

    /**
     * Moves consumer group {@code group}'s offsets of every queue of {@code topic} to the first message stored at or
     * after {@code timestampMs} (-1: each queue's end), forward or back (INVOKE_BROKER_TO_RESET_OFFSET 222 to the
     * leader of every broker group the route names; docs/consumer-protocol.md "Offset reset and consumer
     * introspection"): committed through the Raft log, live consumers told. Returns the new offset of each queue.
     */
    public SortedMap<MessageQueue, Long> resetOffsetByTime(String group, String topic, long timestampMs)
            throws AdminException, InterruptedException {
        return await(resetOffsetAsync(group, topic, -1, null, timestampMs));
    }

    /**
     * As {@link #resetOffsetByTime}, to offset {@code offset} (clamped to each queue's min and max) of queue
     * {@code queueId}, or of every queue of the topic when {@code queueId} is -1.
     */
    public SortedMap<MessageQueue, Long> resetOffsetTo(String group, String topic, int queueId, long offset)
            throws AdminException, InterruptedException {
        if (offset < 0) {
            throw new IllegalArgumentException("an offset is >= 0, got " + offset);
        }
        return await(resetOffsetAsync(group, topic, queueId, offset, -1));
    }

    /** {@code offset} null: by {@code timestampMs}; else to {@code offset} in {@code queueId} (-1: every queue). */
    public CompletableFuture<SortedMap<MessageQueue, Long>> resetOffsetAsync(String group, String topic, int queueId,
                                                                             Long offset, long timestampMs) {
        checkStarted();
        return publish(topicRouteAsync(topic).thenCompose(route -> groups.resetOffset(route, group, topic, queueId,
                offset, timestampMs)));
    }

    // ---- messages

    /**
     * The message with id {@code id} (docs/protocol.md §3.3): an offset msgId naming a registered broker is looked up
     * there (VIEW_MESSAGE_BY_ID 33); any other id, with {@code topic}, as a UNIQ_KEY (QUERY_MESSAGE 12). Empty when
     * there is no such message (or the id is no offset msgId and {@code topic} is null).
     */
    public List<MessageView> messageById(String id, String topic) throws AdminException, InterruptedException {
        checkStarted();
        return await(publish(messages.byId(id, topic)));
    }

    /** The messages of {@code topic} whose KEYS hold {@code key} (QUERY_MESSAGE 12 to every routed group). */
    public List<MessageView> messagesByKey(String topic, String key) throws AdminException, InterruptedException {
        checkStarted();
        return await(publish(messages.byKey(topic, key, false)));
    }

    /**
     * The message at {@code offset} of queue {@code queueId} of {@code topic} on broker group {@code brokerName}
     * (null: the topic's only group), read by a pull of one message that commits nothing; empty when none is
     * stored there.
     */
    public List<MessageView> messageAt(String topic, String brokerName, int queueId, long offset)
            throws AdminException, InterruptedException {
        checkStarted();
        return await(publish(messages.at(topic, brokerName, queueId, offset)));
    }

    // ---- members

    /**
     * The Raft address of member {@code brokerAddr} ({@code host:port}): the {@code raftAddr} key of its runtime info
     * (GET_BROKER_RUNTIME_INFO 28, docs/protocol.md §4.8); for a member that does not report it (an older one), its
     * own entry of {@code raftPeers} in its configuration (GET_BROKER_CONFIG 26); null when neither names one (not a
     * RaftMQ broker).
     */
    public String raftAddress(String brokerAddr) throws AdminException, InterruptedException {
        checkStarted();
        CompletableFuture<String> fromInfo = calls.call(brokerAddr,
                RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO), "runtime info",
                r -> raftAddressOf(KVTable.decode(r.bodyBytes()).table()));
        return await(publish(fromInfo.thenCompose(a -> a != null ? CompletableFuture.completedFuture(a)
                : calls.call(brokerAddr, RemotingCommand.createRequest(RequestCode.GET_BROKER_CONFIG),
                        "broker config", r -> raftAddressIn(new String(r.bodyBytes(), StandardCharsets.UTF_8))))));
    }

    /** The {@code raftAddr} of a runtime-info table; null when missing or blank (a member older than the key). */
    static String raftAddressOf(Map<String, String> runtimeInfo) {
        String a = runtimeInfo.get("raftAddr");
        return a == null || a.isBlank() ? null : a.trim();
    }

    /**
     * The entry of {@code raftSelfId} in {@code raftPeers} ({@code n0-host:port;n1-host:port}) of a broker
     * configuration as GET_BROKER_CONFIG answers it ({@code key=value} lines); null when either key is missing.
     */
    static String raftAddressIn(String config) {
        Map<String, String> kv = new TreeMap<>();
        for (String line : config.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        String self = kv.get("raftSelfId");
        String peers = kv.get("raftPeers");
        if (self == null || peers == null) {
            return null;
        }
        for (String p : peers.split(";")) {
            int dash = p.indexOf('-');
            if (dash > 0 && p.substring(0, dash).trim().equals(self)) {
                return p.substring(dash + 1).trim();
            }
        }
        return null;
    }

    // ---- NameServers

    /** What each configured NameServer routes (106 and 206 to each; one that does not answer is reported so). */
    public List<NameServerView> nameServers() throws AdminException, InterruptedException {
        checkStarted();
        List<CompletableFuture<NameServerView>> asks = new ArrayList<>();
        for (String addr : instance.config().namesrvAddrs()) {
            CompletableFuture<ClusterInfo> info = calls.call(addr, RemotingCommand.createRequest(
                    RequestCode.GET_BROKER_CLUSTER_INFO), "cluster info", r -> ClusterInfo.decode(r.bodyBytes()));
            CompletableFuture<List<String>> topics = calls.call(addr, RemotingCommand.createRequest(
                    RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER), "list topics",
                    r -> List.copyOf(new TreeSet<>(TopicList.decode(r.bodyBytes()).topicList())));
            asks.add(info.thenCombine(topics, (i, t) -> {
                List<BrokerData> gs = new ArrayList<>(i.brokerAddrTable().values());
                gs.sort((a, b) -> a.brokerName().compareTo(b.brokerName()));
                return new NameServerView(addr, true, gs, t, null);
            }).exceptionally(e -> new NameServerView(addr, false, List.of(), List.of(),
                    AdminCalls.unwrap(e).getMessage())));
        }
        List<NameServerView> out = new ArrayList<>();
        for (CompletableFuture<NameServerView> f : asks) {
            out.add(await(publish(f)));
        }
        return out;
    }

    // ---- cluster and Raft status, leadership

    /** Every broker group and what each registered member says of itself (see {@link ClusterStatus}). */
    public ClusterStatus clusterStatus() throws AdminException, InterruptedException {
        return await(clusterStatusAsync());
    }

    public CompletableFuture<ClusterStatus> clusterStatusAsync() {
        checkStarted();
        return publish(calls.clusterInfo().thenCompose(info -> {
            List<BrokerData> gs = new ArrayList<>(info.brokerAddrTable().values());
            gs.sort((a, b) -> a.brokerName().compareTo(b.brokerName()));
            List<CompletableFuture<ClusterStatus.Group>> asks = new ArrayList<>();
            for (BrokerData g : gs) {
                asks.add(calls.members(g).thenApply(ms -> new ClusterStatus.Group(g.cluster(), g.brokerName(),
                        AdminCalls.leaderOf(g, ms), ms)));
            }
            return CompletableFuture.allOf(asks.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
                List<ClusterStatus.Group> out = new ArrayList<>();
                for (CompletableFuture<ClusterStatus.Group> f : asks) {
                    out.add(f.join());
                }
                return new ClusterStatus(out);
            });
        }));
    }

    /**
     * Moves the Raft leadership of broker group {@code group} to the member whose client-facing address is
     * {@code to} (null: the most caught-up follower), through RAFT_TRANSFER_LEADERSHIP (9001) to its leader; returns
     * once that member leads. 29 when {@code to} is not a member; 1 when the target did not take over in time.
     */
    public TransferResult transferLeadership(String group, String to) throws AdminException, InterruptedException {
        return await(transferLeadershipAsync(group, to));
    }

    public CompletableFuture<TransferResult> transferLeadershipAsync(String group, String to) {
        checkStarted();
        return publish(calls.group(group).thenCompose(bd -> calls.members(bd).thenApply(ms -> AdminCalls.leaderOf(bd,
                ms))).thenCompose(leader -> transferVia(group, leader, to, 0)));
    }

    private CompletableFuture<TransferResult> transferVia(String group, String addr, String to, int hop) {
        if (addr == null || addr.isEmpty()) {
            return CompletableFuture.failedFuture(new AdminException(AdminException.CLIENT_SIDE, null, null,
                    "no leader of " + group + " known to transfer from", null));
        }
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.RAFT_TRANSFER_LEADERSHIP);
        if (to != null) {
            req.addExtField(TRANSFER_TO, to);
        }
        return calls.call(addr, req, "transfer leadership of " + group, r -> new TransferResult(group,
                r.extFieldsOrEmpty().get(TRANSFER_LEADER), Long.parseLong(r.extFieldsOrEmpty().get(TRANSFER_TERM))))
                .handle((v, e) -> {
                    if (e == null) {
                        return CompletableFuture.completedFuture(v);
                    }
                    AdminException a = AdminCalls.unwrap(e);
                    if (a.code() == ResponseCode.SERVICE_NOT_AVAILABLE && hop < TRANSFER_REDIRECTS_MAX) {
                        return redirect(group, to, hop);
                    }
                    return CompletableFuture.<TransferResult>failedFuture(a);
                }).thenCompose(f -> f);
    }

    /** The member asked does not lead (any more): ask the group's members again who does, then ask that one. */
    private CompletableFuture<TransferResult> redirect(String group, String to, int hop) {
        return calls.later(AdminCalls.LEADER_RETRY_MS).thenCompose(v -> calls.group(group)).thenCompose(bd ->
                calls.members(bd).thenApply(ms -> AdminCalls.leaderOf(bd, ms))).thenCompose(leader ->
                transferVia(group, leader, to, hop + 1));
    }

    // ---- plumbing

    /** {@code action} on every broker group the route of {@code topic} names (17 when it has none), in order. */
    private <T> CompletableFuture<List<T>> eachRouted(String topic, Function<BrokerData, CompletableFuture<T>> action) {
        return topicRouteAsync(topic).thenCompose(route -> {
            List<CompletableFuture<T>> fs = new ArrayList<>();
            for (BrokerData bd : route.brokerDatas()) {
                fs.add(action.apply(bd));
            }
            return CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
                List<T> out = new ArrayList<>();
                fs.forEach(f -> out.add(f.join()));
                return out;
            });
        });
    }

    private CompletableFuture<Void> eachGroup(String cluster, Function<BrokerData, CompletableFuture<?>> action) {
        return calls.groups(cluster).thenCompose(gs -> {
            List<CompletableFuture<?>> fs = new ArrayList<>();
            for (BrokerData g : gs) {
                fs.add(action.apply(g));
            }
            return CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0]));
        });
    }

    /** {@code f}'s outcome, completed on the callback executor, failing with an {@link AdminException} only. */
    private <T> CompletableFuture<T> publish(CompletableFuture<T> f) {
        CompletableFuture<T> out = new CompletableFuture<>();
        f.whenComplete((v, e) -> instance.runCallback(() -> {
            if (e != null) {
                out.completeExceptionally(AdminCalls.unwrap(e));
            } else {
                out.complete(v);
            }
        }));
        return out;
    }

    private <T> T await(CompletableFuture<T> f) throws AdminException, InterruptedException {
        try {
            return f.get(operationTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw AdminCalls.unwrap(e);
        } catch (TimeoutException e) {
            throw new AdminException(AdminException.CLIENT_SIDE, null, null, "no outcome within "
                    + operationTimeoutMs + " ms", e);
        }
    }

    private void checkStarted() {
        lifecycle.checkStarted();
    }

    /** RocketMQ's attribute string: {@code +k=v,+k2=v2} (null when there is none). */
    private static String attributes(Map<String, String> a) {
        if (a.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : a.entrySet()) {
            sb.append(sb.length() == 0 ? "" : ",").append('+').append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }
}
