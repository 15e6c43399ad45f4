package io.raftmq.client.admin;

import io.raftmq.client.instance.ClientConfig;
import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.instance.ClientLifecycle;
import io.raftmq.client.protocol.body.Connection;
import io.raftmq.client.protocol.body.TopicStatsTable;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.body.TopicRouteData;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
 *
 * <p>This class is the public face: each operation checks that the client started, and publishes and awaits the
 * outcome; the requests themselves are built by package-private classes per area: {@link AdminTopics},
 * {@link AdminGroups} (groups, progress, clients, offset resets), {@link AdminMessages} and {@link AdminCluster}
 * (NameServers, cluster status, Raft addresses, leadership transfer), all on the plumbing of {@link AdminCalls}.
 */
public final class AdminClient implements AutoCloseable {
    public static final long CALL_TIMEOUT_MS_DEFAULT = 5_000;
    public static final long OPERATION_TIMEOUT_MS_DEFAULT = 20_000;

    private final ClientLifecycle lifecycle;
    private final AdminCalls calls;
    private final AdminTopics topics;
    private final AdminGroups groups;
    private final AdminMessages messages;
    private final AdminCluster cluster;
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
        this.lifecycle = new ClientLifecycle(instance, ownsInstance, "admin client");
        this.calls = new AdminCalls(instance, callTimeoutMs);
        this.topics = new AdminTopics(calls);
        this.groups = new AdminGroups(calls);
        this.messages = new AdminMessages(calls);
        this.cluster = new AdminCluster(calls);
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
        return publish(topics.create(config, cluster));
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
        return publish(topics.delete(topic));
    }

    /** Every topic the NameServer routes (GET_ALL_TOPIC_LIST_FROM_NAMESERVER 206), sorted. */
    public List<String> listTopics() throws AdminException, InterruptedException {
        return await(listTopicsAsync());
    }

    public CompletableFuture<List<String>> listTopicsAsync() {
        checkStarted();
        return publish(topics.list());
    }

    /** The NameServer's route of {@code topic} (GET_ROUTEINFO_BY_TOPIC 105); 17 when it has none. */
    public TopicRouteData topicRoute(String topic) throws AdminException, InterruptedException {
        return await(topicRouteAsync(topic));
    }

    public CompletableFuture<TopicRouteData> topicRouteAsync(String topic) {
        checkStarted();
        return publish(topics.route(topic));
    }

    /** The topic configurations the leader of {@code group} holds (GET_ALL_TOPIC_CONFIG 21), by name. */
    public Map<String, TopicConfig> topicConfigs(String group) throws AdminException, InterruptedException {
        return await(topicConfigsAsync(group));
    }

    public CompletableFuture<Map<String, TopicConfig>> topicConfigsAsync(String group) {
        checkStarted();
        return publish(topics.configs(group));
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
        return publish(topics.stats(topic));
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
        return publish(groups.create(config, cluster));
    }

    /** Deletes {@code group} (DELETE_SUBSCRIPTIONGROUP 207) on every broker group, its offsets too if asked. */
    public void deleteGroup(String group, boolean cleanOffsets) throws AdminException, InterruptedException {
        await(deleteGroupAsync(group, cleanOffsets));
    }

    public CompletableFuture<Void> deleteGroupAsync(String group, boolean cleanOffsets) {
        checkStarted();
        return publish(groups.delete(group, cleanOffsets));
    }

    /** Every consumer group of every broker group (GET_ALL_SUBSCRIPTIONGROUP_CONFIG 201), by name. */
    public Map<String, SubscriptionGroupConfig> listGroups() throws AdminException, InterruptedException {
        return await(listGroupsAsync());
    }

    public CompletableFuture<Map<String, SubscriptionGroupConfig>> listGroupsAsync() {
        checkStarted();
        return publish(groups.list());
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
        return await(publish(cluster.raftAddress(brokerAddr)));
    }

    // ---- NameServers

    /** What each configured NameServer routes (106 and 206 to each; one that does not answer is reported so). */
    public List<NameServerView> nameServers() throws AdminException, InterruptedException {
        checkStarted();
        List<NameServerView> out = new ArrayList<>();
        for (CompletableFuture<NameServerView> f : cluster.nameServers()) {
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
        return publish(cluster.clusterStatus());
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
        return publish(cluster.transferLeadership(group, to));
    }

    // ---- plumbing

    /** {@code f}'s outcome, completed on the callback executor, failing with an {@link AdminException} only. */
    private <T> CompletableFuture<T> publish(CompletableFuture<T> f) {
        return calls.publish(f);
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
}
