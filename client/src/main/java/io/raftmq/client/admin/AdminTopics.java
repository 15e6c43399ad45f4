package io.raftmq.client.admin;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.body.TopicConfigSerializeWrapper;
import io.raftmq.client.protocol.body.TopicList;
import io.raftmq.client.protocol.body.TopicOffset;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.body.TopicStatsTable;
import io.raftmq.client.protocol.header.CreateTopicRequestHeader;
import io.raftmq.client.protocol.header.DeleteTopicFromNamesrvRequestHeader;
import io.raftmq.client.protocol.header.GetRouteInfoRequestHeader;
import io.raftmq.client.protocol.header.TopicRequestHeader;
import io.raftmq.client.route.TopicRoute;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The topic operations of {@link AdminClient} (docs/sdk.md "Admin", docs/protocol.md §2.11): create and delete on
 * the leader of every broker group (and delete from every NameServer too), the NameServer's topic list and routes,
 * a leader's topic configurations, and a topic's queue statistics merged over every broker group its route names.
 * Every future fails with {@link AdminException} only; the client checks that it started and publishes the outcome.
 */
final class AdminTopics {
    private final AdminCalls calls;

    AdminTopics(AdminCalls calls) {
        this.calls = calls;
    }

    /** UPDATE_AND_CREATE_TOPIC 17 to the leader of every group of {@code cluster} (every group when null). */
    CompletableFuture<Void> create(TopicConfig config, String cluster) {
        if (config.readQueueNums() <= 0 || config.writeQueueNums() <= 0) {
            throw new IllegalArgumentException("a topic needs at least one read and one write queue: " + config);
        }
        CreateTopicRequestHeader h = new CreateTopicRequestHeader(config.topicName(), TopicRoute.DEFAULT_TOPIC,
                config.readQueueNums(), config.writeQueueNums(), config.perm(), config.topicFilterType(),
                config.topicSysFlag(), config.order(), attributes(config.attributes()), null);
        return calls.eachGroup(cluster, g -> calls.onLeader(g.brokerName(),
                () -> RemotingCommand.createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, h), "create topic "
                        + config.topicName(), r -> null));
    }

    /** DELETE_TOPIC_IN_BROKER 215 to the leader of every group, then DELETE_TOPIC_IN_NAMESRV 216 to each NameServer. */
    CompletableFuture<Void> delete(String topic) {
        CompletableFuture<Void> brokers = calls.eachGroup(null, g -> calls.onLeader(g.brokerName(),
                () -> RemotingCommand.createRequest(RequestCode.DELETE_TOPIC_IN_BROKER, new TopicRequestHeader(topic,
                        null)), "delete topic " + topic, r -> null));
        return brokers.thenCompose(v -> {
            List<CompletableFuture<Object>> ns = new ArrayList<>();
            for (String addr : calls.nameServerAddrs()) {
                ns.add(calls.call(addr, RemotingCommand.createRequest(RequestCode.DELETE_TOPIC_IN_NAMESRV,
                        new DeleteTopicFromNamesrvRequestHeader(topic, null)), "delete topic " + topic, r -> null));
            }
            return CompletableFuture.allOf(ns.toArray(new CompletableFuture<?>[0]));
        });
    }

    /** GET_ALL_TOPIC_LIST_FROM_NAMESERVER 206, sorted. */
    CompletableFuture<List<String>> list() {
        return calls.namesrv(() -> RemotingCommand.createRequest(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER),
                "list topics", AdminTopics::topicNames);
    }

    /** The sorted topic names of a GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206) answer. */
    static List<String> topicNames(RemotingCommand r) throws RemotingCommandException {
        return List.copyOf(new TreeSet<>(TopicList.decode(r.bodyBytes()).topicList()));
    }

    /** GET_ROUTEINFO_BY_TOPIC 105; 17 when the NameServer has no route. */
    CompletableFuture<TopicRouteData> route(String topic) {
        return calls.namesrv(() -> RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC,
                new GetRouteInfoRequestHeader(topic, null)), "route of " + topic, r -> {
                    if (r.bodyLength() == 0) {
                        throw new CompletionException(new AdminException(ResponseCode.TOPIC_NOT_EXIST, null, null,
                                "no route for " + topic, null));
                    }
                    return TopicRouteData.decode(r.bodyBytes());
                });
    }

    /** GET_ALL_TOPIC_CONFIG 21 to the leader of {@code group}. */
    CompletableFuture<Map<String, TopicConfig>> configs(String group) {
        return calls.onLeader(group, () -> RemotingCommand.createRequest(RequestCode.GET_ALL_TOPIC_CONFIG),
                "topic configs", r -> Map.copyOf(new TreeMap<>(TopicConfigSerializeWrapper.decode(r.bodyBytes())
                        .topicConfigTable())));
    }

    /** GET_TOPIC_STATS_INFO 202 to the leader of every routed group: the queues merged, the put rates summed. */
    CompletableFuture<TopicStatsTable> stats(String topic) {
        return eachRouted(topic, bd -> calls.onLeader(bd.brokerName(), () -> RemotingCommand.createRequest(
                RequestCode.GET_TOPIC_STATS_INFO, new TopicRequestHeader(topic, null)), "stats of " + topic,
                r -> TopicStatsTable.decode(r.bodyBytes()))).thenApply(ts -> {
                    TreeMap<MessageQueue, TopicOffset> all = new TreeMap<>();
                    double tps = 0;
                    for (TopicStatsTable t : ts) {
                        all.putAll(t.offsetTable());
                        tps += t.topicPutTps();
                    }
                    return new TopicStatsTable(all, tps);
                });
    }

    /**
     * {@code action} on every broker group the route of {@code topic} names (17 when it has none), in order; the
     * route's outcome is published first, as the client's own route call does.
     */
    private <T> CompletableFuture<List<T>> eachRouted(String topic, Function<BrokerData, CompletableFuture<T>> action) {
        return calls.publish(route(topic)).thenCompose(route -> {
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
