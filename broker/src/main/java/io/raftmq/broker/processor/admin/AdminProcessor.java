package io.raftmq.broker.processor.admin;

import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.broker.offset.StoreView;
import io.raftmq.broker.processor.clients.Replies;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.ConsumerConnection;
import io.raftmq.client.protocol.body.DataVersion;
import io.raftmq.client.protocol.body.GroupList;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.protocol.body.ProducerConnection;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.header.ConsumerGroupHeader;
import io.raftmq.client.protocol.header.CreateTopicRequestHeader;
import io.raftmq.client.protocol.header.DeleteSubscriptionGroupRequestHeader;
import io.raftmq.client.protocol.header.ProducerGroupHeader;
import io.raftmq.client.protocol.header.TopicRequestHeader;
import io.raftmq.client.protocol.json.JsonWriter;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The mqadmin codes of docs/protocol.md §2.11 / checklist step 13 that need no message store beyond {@link StoreView}:
 * 17, 215, 21, 351, 200, 201, 207, 26, 203, 204, 28, 300 (208, consume stats, is answered by the store-backed
 * {@code StoreQueryProcessor}). Topic and group changes are replicated (proposed through the managers, answered after
 * apply); on a follower they are answered 14 SERVICE_NOT_AVAILABLE (see {@link Replies}); mqadmin's {@code -c} mode
 * only targets masters (brokerId 0), i.e. the leader. Store-dependent codes (202 topic stats, 30/31/29/32 offsets,
 * 33/12 messages) come with the store.
 */
public final class AdminProcessor implements RequestProcessor {
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.UPDATE_AND_CREATE_TOPIC, RequestCode.DELETE_TOPIC_IN_BROKER,
        RequestCode.GET_ALL_TOPIC_CONFIG, RequestCode.GET_TOPIC_CONFIG, RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
        RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, RequestCode.DELETE_SUBSCRIPTIONGROUP,
        RequestCode.GET_BROKER_CONFIG, RequestCode.GET_CONSUMER_CONNECTION_LIST,
        RequestCode.GET_PRODUCER_CONNECTION_LIST, RequestCode.GET_BROKER_RUNTIME_INFO,
        RequestCode.QUERY_TOPIC_CONSUME_BY_WHO};

    private final BrokerConfig config;
    private final TopicConfigManager topics;
    private final SubscriptionGroupManager groups;
    private final ConsumerOffsetManager offsets;
    private final ClientManager clients;
    private final StoreView store;
    private final LongSupplier clockMs;
    private final long bootTimestampMs;
    private final List<RuntimeInfoContributor> contributors = new CopyOnWriteArrayList<>();

    public AdminProcessor(BrokerConfig config, TopicConfigManager topics, SubscriptionGroupManager groups,
                          ConsumerOffsetManager offsets, ClientManager clients, StoreView store, LongSupplier clockMs) {
        this.config = config;
        this.topics = topics;
        this.groups = groups;
        this.offsets = offsets;
        this.clients = clients;
        this.store = store;
        this.clockMs = clockMs;
        this.bootTimestampMs = clockMs.getAsLong();
    }

    /** Adds GET_BROKER_RUNTIME_INFO keys (raft role/term/commit index, store figures). */
    public void addRuntimeInfoContributor(RuntimeInfoContributor c) {
        contributors.add(c);
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        return switch (request.code()) {
            case RequestCode.UPDATE_AND_CREATE_TOPIC -> createTopic(ctx, request);
            case RequestCode.DELETE_TOPIC_IN_BROKER -> Replies.later(ctx,
                    topics.delete(TopicRequestHeader.decode(request.extFields()).topic()),
                    config.metadataProposeTimeoutMs(), v -> Replies.ok());
            case RequestCode.GET_ALL_TOPIC_CONFIG -> Replies.ok().setBody(topics.wrapper().encode());
            case RequestCode.GET_TOPIC_CONFIG -> topicConfig(request);
            case RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP -> Replies.later(ctx,
                    groups.createOrUpdate(SubscriptionGroupConfig.decode(request.bodyBytes())),
                    config.metadataProposeTimeoutMs(), v -> Replies.ok());
            case RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG -> Replies.ok().setBody(allGroupsBody());
            case RequestCode.DELETE_SUBSCRIPTIONGROUP -> deleteGroup(ctx, request);
            case RequestCode.GET_BROKER_CONFIG -> brokerConfig();
            case RequestCode.GET_CONSUMER_CONNECTION_LIST -> consumerConnection(request);
            case RequestCode.GET_PRODUCER_CONNECTION_LIST -> producerConnection(request);
            case RequestCode.GET_BROKER_RUNTIME_INFO -> Replies.ok().setBody(new KVTable(runtimeInfo()).encode());
            case RequestCode.QUERY_TOPIC_CONSUME_BY_WHO -> consumedBy(request);
            default -> throw new IllegalStateException("unexpected code " + request.code());
        };
    }

    private RemotingCommand createTopic(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        CreateTopicRequestHeader h = CreateTopicRequestHeader.decode(request.extFields());
        Map<String, String> attributes = parseAttributes(h.attributes());
        if (attributes == null) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, "attributes must look like +key=value,+key2=value2: "
                    + h.attributes());
        }
        if (h.topic().equals(config.brokerClusterName()) || h.topic().equals(config.brokerName())) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, "the topic name " + h.topic()
                    + " is reserved (cluster or broker name)");
        }
        TopicConfig c = new TopicConfig(h.topic(), h.readQueueNums(), h.writeQueueNums(), h.perm(),
                h.topicFilterType(), h.topicSysFlag() == null ? 0 : h.topicSysFlag(), h.order(), attributes);
        return Replies.later(ctx, topics.createOrUpdate(c), config.metadataProposeTimeoutMs(), v -> Replies.ok());
    }

    /** Parses RocketMQ's "+k=v,+k2=v2" attribute string; null if malformed. Empty or null gives an empty map. */
    static Map<String, String> parseAttributes(String s) {
        Map<String, String> m = new TreeMap<>();
        if (s == null || s.isBlank()) {
            return m;
        }
        for (String part : s.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (!p.startsWith("+") || eq < 2) {
                return null;
            }
            m.put(p.substring(1, eq), p.substring(eq + 1));
        }
        return m;
    }

    private RemotingCommand topicConfig(RemotingCommand request) throws RemotingCommandException {
        String topic = TopicRequestHeader.decode(request.extFields()).topic();
        TopicConfig c = topics.get(topic);
        if (c == null) {
            return Replies.error(ResponseCode.TOPIC_NOT_EXIST, "No topic in this broker. topic: " + topic);
        }
        return Replies.ok().setBody(c.encode());
    }

    private byte[] allGroupsBody() {
        JsonWriter w = new JsonWriter();
        w.beginObject().name("dataVersion");
        groups.dataVersion().writeJson(w);
        w.name("subscriptionGroupTable").beginObject();
        for (Map.Entry<String, SubscriptionGroupConfig> e : groups.all().entrySet()) {
            w.name(e.getKey());
            e.getValue().writeJson(w);
        }
        w.endObject().endObject();
        return w.toString().getBytes(StandardCharsets.UTF_8);
    }

    private RemotingCommand deleteGroup(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        DeleteSubscriptionGroupRequestHeader h = DeleteSubscriptionGroupRequestHeader.decode(request.extFields());
        if (groups.get(h.groupName()) == null && offsets.topicsOf(h.groupName()).isEmpty()) {
            return Replies.error(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, "subscription group [" + h.groupName()
                    + "] does not exist (no config, no offsets): nothing was deleted");
        }
        return Replies.later(ctx, groups.delete(h.groupName(), h.cleanOffset()), config.metadataProposeTimeoutMs(),
                v -> Replies.ok());
    }

    private RemotingCommand brokerConfig() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : config.toProperties().entrySet()) {
            b.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        DataVersion v = topics.dataVersion();
        RemotingCommand r = Replies.ok();
        r.extFields().put("version", new String(v.encode(), StandardCharsets.UTF_8));
        return r.setBody(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private RemotingCommand consumerConnection(RemotingCommand request) throws RemotingCommandException {
        String group = ConsumerGroupHeader.decode(request.extFields()).consumerGroup();
        ConsumerConnection c = clients.consumerConnection(group);
        if (c == null) {
            return Replies.error(ResponseCode.CONSUMER_NOT_ONLINE, "the consumer group[" + group + "] not online");
        }
        return Replies.ok().setBody(c.encode());
    }

    private RemotingCommand producerConnection(RemotingCommand request) throws RemotingCommandException {
        String group = ProducerGroupHeader.decode(request.extFields()).producerGroup();
        ProducerConnection c = clients.producerConnection(group);
        if (c == null) {
            return Replies.error(ResponseCode.CONSUMER_NOT_ONLINE, "the producer group[" + group + "] not online");
        }
        return Replies.ok().setBody(c.encode());
    }

    /** The KVTable of GET_BROKER_RUNTIME_INFO: defaults in mqadmin's formats, then the contributors' keys. */
    Map<String, String> runtimeInfo() {
        Map<String, String> t = new LinkedHashMap<>();
        long now = clockMs.getAsLong();
        t.put("brokerVersionDesc", "V5_3_3");
        t.put("brokerVersion", Integer.toString(RemotingCommand.VERSION_CURRENT));
        t.put("bootTimestamp", Long.toString(bootTimestampMs));
        t.put("runtime", runtime(now - bootTimestampMs));
        t.put("brokerActive", "true");
        for (String k : List.of("msgPutTotalYesterdayMorning", "msgPutTotalTodayMorning", "msgPutTotalTodayNow",
                "msgGetTotalYesterdayMorning", "msgGetTotalTodayMorning", "msgGetTotalTodayNow",
                "earliestMessageTimeStamp", "dispatchBehindBytes", "pageCacheLockTimeMills")) {
            t.put(k, "0");
        }
        for (String k : List.of("putTps", "getTransferredTps", "getFoundTps", "getMissTps")) {
            t.put(k, "0.0 0.0 0.0");
        }
        t.put("commitLogDiskRatio", "0.0");
        for (String pool : List.of("send", "pull", "query", "ack", "litePull")) {
            t.put(pool + "ThreadPoolQueueSize", "0");
            t.put(pool + "ThreadPoolQueueCapacity", "0");
            t.put(pool + "ThreadPoolQueueHeadWaitTimeMills", "0");
        }
        t.put("topicCount", Integer.toString(topics.all().size()));
        t.put("subscriptionGroupCount", Integer.toString(groups.all().size()));
        for (RuntimeInfoContributor c : contributors) {
            c.contribute(t);
        }
        return t;
    }

    private static String runtime(long ms) {
        long s = Math.max(0, ms / 1000);
        return " [ " + s / 86_400 + " days, " + s % 86_400 / 3600 + " hours, " + s % 3600 / 60 + " minutes, "
                + s % 60 + " seconds ]";
    }

    private RemotingCommand consumedBy(RemotingCommand request) throws RemotingCommandException {
        String topic = TopicRequestHeader.decode(request.extFields()).topic();
        Set<String> groupSet = new TreeSet<>(offsets.groupsOf(topic));
        groupSet.addAll(clients.groupsSubscribedTo(topic));
        return Replies.ok().setBody(new GroupList(new ArrayList<>(groupSet)).encode());
    }
}
