package io.raftmq.client.admin;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.Connection;
import io.raftmq.client.protocol.body.ConsumeStats;
import io.raftmq.client.protocol.body.ConsumerConnection;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.OffsetWrapper;
import io.raftmq.client.protocol.body.QueueData;
import io.raftmq.client.protocol.body.ResetOffsetBody;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.header.ConsumerGroupHeader;
import io.raftmq.client.protocol.header.DeleteSubscriptionGroupRequestHeader;
import io.raftmq.client.protocol.header.GetConsumeStatsRequestHeader;
import io.raftmq.client.protocol.header.ResetOffsetRequestHeader;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The consumer-group operations of {@link AdminClient} that ask the leader of every broker group and merge what
 * they answer (docs/consumer-protocol.md "Offset reset and consumer introspection"): creating, deleting and listing
 * groups (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP 200, DELETE_SUBSCRIPTIONGROUP 207, GET_ALL_SUBSCRIPTIONGROUP_CONFIG
 * 201), a group's progress (GET_CONSUME_STATS 208), its online clients (GET_CONSUMER_CONNECTION_LIST 203; 206
 * CONSUMER_NOT_ONLINE is none), and offset resets (INVOKE_BROKER_TO_RESET_OFFSET 222, committed through each group's
 * Raft log).
 */
final class AdminGroups {
    private final AdminCalls calls;

    AdminGroups(AdminCalls calls) {
        this.calls = calls;
    }

    /** UPDATE_AND_CREATE_SUBSCRIPTIONGROUP 200 to the leader of every group of {@code cluster} (null: every group). */
    CompletableFuture<Void> create(SubscriptionGroupConfig config, String cluster) {
        byte[] body = config.encode();
        return calls.eachGroup(cluster, g -> calls.onLeader(g.brokerName(),
                () -> RemotingCommand.createRequest(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP).setBody(body),
                "create group " + config.groupName(), r -> null));
    }

    /** DELETE_SUBSCRIPTIONGROUP 207 to the leader of every broker group. */
    CompletableFuture<Void> delete(String group, boolean cleanOffsets) {
        return calls.eachGroup(null, g -> calls.onLeader(g.brokerName(),
                () -> RemotingCommand.createRequest(RequestCode.DELETE_SUBSCRIPTIONGROUP,
                        new DeleteSubscriptionGroupRequestHeader(group, cleanOffsets)), "delete group " + group,
                r -> null));
    }

    /** GET_ALL_SUBSCRIPTIONGROUP_CONFIG 201 to the leader of every broker group, merged by name. */
    CompletableFuture<Map<String, SubscriptionGroupConfig>> list() {
        return calls.groups(null).thenCompose(gs -> {
            List<CompletableFuture<Map<String, SubscriptionGroupConfig>>> asks = new ArrayList<>();
            for (BrokerData g : gs) {
                asks.add(calls.onLeader(g.brokerName(),
                        () -> RemotingCommand.createRequest(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG),
                        "list groups", r -> AdminBodies.subscriptionGroups(r.bodyBytes())));
            }
            return all(asks).thenApply(maps -> {
                Map<String, SubscriptionGroupConfig> merged = new TreeMap<>();
                maps.forEach(merged::putAll);
                return Map.copyOf(merged);
            });
        });
    }

    CompletableFuture<ConsumerProgress> progress(String group, String topic) {
        return calls.groups(null).thenCompose(gs -> {
            List<CompletableFuture<ConsumeStats>> asks = new ArrayList<>();
            for (BrokerData g : gs) {
                asks.add(calls.onLeader(g.brokerName(), () -> RemotingCommand.createRequest(
                        RequestCode.GET_CONSUME_STATS, new GetConsumeStatsRequestHeader(group, topic, null)),
                        "consumer progress of " + group, r -> ConsumeStats.decode(r.bodyBytes())));
            }
            return all(asks).thenApply(stats -> {
                TreeMap<MessageQueue, ConsumerProgress.Queue> qs = new TreeMap<>();
                for (ConsumeStats cs : stats) {
                    for (Map.Entry<MessageQueue, OffsetWrapper> e : cs.offsetTable().entrySet()) {
                        OffsetWrapper o = e.getValue();
                        qs.put(e.getKey(), new ConsumerProgress.Queue(e.getKey(), o.brokerOffset(),
                                o.consumerOffset(), o.lastTimestamp()));
                    }
                }
                return new ConsumerProgress(group, new ArrayList<>(qs.values()));
            });
        });
    }

    CompletableFuture<List<Connection>> connections(String group) {
        return calls.groups(null).thenCompose(gs -> {
            List<CompletableFuture<List<Connection>>> asks = new ArrayList<>();
            for (BrokerData g : gs) {
                asks.add(calls.onLeader(g.brokerName(), () -> RemotingCommand.createRequest(
                        RequestCode.GET_CONSUMER_CONNECTION_LIST, new ConsumerGroupHeader(group)),
                        "clients of " + group, r -> ConsumerConnection.decode(r.bodyBytes()).connectionSet())
                        .exceptionally(e -> {
                            if (AdminCalls.unwrap(e).code() == ResponseCode.CONSUMER_NOT_ONLINE) {
                                return List.of();
                            }
                            throw e instanceof CompletionException c ? c : new CompletionException(e);
                        }));
            }
            return all(asks).thenApply(lists -> {
                TreeMap<String, Connection> byId = new TreeMap<>();
                lists.forEach(l -> l.forEach(c -> byId.putIfAbsent(c.clientId(), c)));
                return List.copyOf(byId.values());
            });
        });
    }

    /** {@code offset} null: by {@code timestampMs}; else to {@code offset} in {@code queueId} (-1: every queue). */
    CompletableFuture<SortedMap<MessageQueue, Long>> resetOffset(TopicRouteData route, String group, String topic,
                                                                 int queueId, Long offset, long timestampMs) {
        List<CompletableFuture<ResetOffsetBody>> asks = new ArrayList<>();
        for (QueueData qd : route.queueDatas()) {
            List<Integer> queues = new ArrayList<>();
            int n = Math.max(qd.readQueueNums(), qd.writeQueueNums());
            for (int q = 0; q < n; q++) {
                if (offset == null ? q == 0 : queueId < 0 || q == queueId) {
                    queues.add(offset == null ? -1 : q); // by time: one request resets every queue
                }
            }
            for (int q : queues) {
                ResetOffsetRequestHeader h = new ResetOffsetRequestHeader(topic, group, q, offset, timestampMs, true);
                asks.add(calls.onLeader(qd.brokerName(), () -> RemotingCommand.createRequest(
                        RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, h), "reset offsets of " + group,
                        r -> ResetOffsetBody.decode(r.bodyBytes())));
            }
        }
        return all(asks).thenApply(bodies -> {
            SortedMap<MessageQueue, Long> merged = new TreeMap<>();
            bodies.forEach(b -> merged.putAll(b.offsetTable()));
            return merged;
        });
    }

    /** Every answer, in order, once all came; the first failure otherwise. */
    private static <T> CompletableFuture<List<T>> all(List<CompletableFuture<T>> asks) {
        return CompletableFuture.allOf(asks.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            List<T> out = new ArrayList<>(asks.size());
            asks.forEach(f -> out.add(f.join()));
            return out;
        });
    }
}
