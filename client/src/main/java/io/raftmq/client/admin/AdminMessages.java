package io.raftmq.client.admin;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.ClusterInfo;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.header.GetRouteInfoRequestHeader;
import io.raftmq.client.protocol.header.PullMessageRequestHeader;
import io.raftmq.client.protocol.header.QueryMessageRequestHeader;
import io.raftmq.client.protocol.header.ViewMessageRequestHeader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The message lookups of {@link AdminClient} (docs/protocol.md §2.10, §2.4): by the broker's offset msgId
 * (VIEW_MESSAGE_BY_ID 33 to the address inside it, once the NameServer lists that address as a member), by key or
 * UNIQ_KEY (QUERY_MESSAGE 12 to the leader of every broker group the topic's route names; each result re-checked for
 * its topic and key, as the official client does), and at one queue offset (PULL_MESSAGE 11 of one message as the
 * tools' group {@link #TOOLS_GROUP}, without committing an offset). "Not found" is an empty list, not a failure.
 */
final class AdminMessages {
    /** The consumer group the one-message pull uses (as mqadmin's tools consumer). */
    static final String TOOLS_GROUP = "TOOLS_CONSUMER";
    /** Results a key query asks for (mqadmin's default). */
    static final int QUERY_MAX = 64;

    private final AdminCalls calls;

    AdminMessages(AdminCalls calls) {
        this.calls = calls;
    }

    /**
     * The message with id {@code id}: by VIEW_MESSAGE_BY_ID when {@code id} is an offset msgId naming a registered
     * broker; else, with {@code topic}, as a UNIQ_KEY (12 with {@code _UNIQUE_KEY_QUERY}); else none.
     */
    CompletableFuture<List<MessageView>> byId(String id, String topic) {
        OffsetMsgId o = OffsetMsgId.parse(id);
        return calls.clusterInfo().thenCompose(info -> {
            String group = o == null ? null : groupOf(info, o.address());
            if (group != null) {
                return view(o, group, topic);
            }
            return topic == null ? CompletableFuture.completedFuture(List.<MessageView>of())
                    : byKey(topic, id, true);
        });
    }

    private CompletableFuture<List<MessageView>> view(OffsetMsgId o, String group, String topic) {
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.VIEW_MESSAGE_BY_ID,
                new ViewMessageRequestHeader(o.offset(), topic));
        CompletableFuture<List<MessageView>> f = calls.call(o.address(), req, "view message",
                r -> MessageView.decode(r.body(), group));
        // docs/protocol.md §2.10: 1 "can not find message by the offset, N" when nothing is stored there
        return notFoundAsEmpty(f, a -> a.code() == ResponseCode.SYSTEM_ERROR && a.remark() != null
                && a.remark().startsWith("can not find message"));
    }

    /** The broker group that registered {@code addr} as a member, or null. */
    private static String groupOf(ClusterInfo info, String addr) {
        for (BrokerData bd : info.brokerAddrTable().values()) {
            if (bd.brokerAddrs().containsValue(addr)) {
                return bd.brokerName();
            }
        }
        return null;
    }

    /** Messages of {@code topic} with key {@code key} (or, {@code uniq}, UNIQ_KEY {@code key}), from every group. */
    CompletableFuture<List<MessageView>> byKey(String topic, String key, boolean uniq) {
        return route(topic).thenCompose(route -> {
            List<CompletableFuture<List<MessageView>>> asks = new ArrayList<>();
            for (BrokerData bd : route.brokerDatas()) {
                CompletableFuture<List<MessageView>> f = calls.onLeader(bd.brokerName(),
                        () -> RemotingCommand.createRequest(RequestCode.QUERY_MESSAGE, new QueryMessageRequestHeader(
                                topic, key, QUERY_MAX, 0, Long.MAX_VALUE, uniq)), "query message",
                        r -> MessageView.decode(r.body(), bd.brokerName()));
                asks.add(notFoundAsEmpty(f, a -> a.code() == ResponseCode.QUERY_NOT_FOUND));
            }
            return CompletableFuture.allOf(asks.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
                List<MessageView> out = new ArrayList<>();
                for (CompletableFuture<List<MessageView>> f : asks) {
                    for (MessageView m : f.join()) {
                        if (m.topic().equals(topic) && (uniq ? key.equals(m.properties().get("UNIQ_KEY"))
                                : m.keys() != null && Arrays.asList(m.keys().split(" ")).contains(key))) {
                            out.add(m);
                        }
                    }
                }
                return out;
            });
        });
    }

    /**
     * The message at {@code offset} of queue {@code queueId} of {@code topic} in broker group {@code brokerName}
     * (null: the only group the route names).
     */
    CompletableFuture<List<MessageView>> at(String topic, String brokerName, int queueId, long offset) {
        return route(topic).thenCompose(route -> {
            String group = brokerName;
            if (group == null) {
                if (route.brokerDatas().size() != 1) {
                    throw new CompletionException(new AdminException(ResponseCode.INVALID_PARAMETER, null, null,
                            topic + " is on several broker groups: name one", null));
                }
                group = route.brokerDatas().get(0).brokerName();
            }
            String g = group;
            PullMessageRequestHeader h = new PullMessageRequestHeader(TOOLS_GROUP, topic, queueId, offset, 1,
                    PullMessageRequestHeader.FLAG_SUBSCRIPTION, -1, 0, "*", 0, "TAG", null, g);
            CompletableFuture<List<MessageView>> f = calls.onLeader(g, () -> RemotingCommand.createRequest(
                    RequestCode.PULL_MESSAGE, h), "read " + topic + " " + g + ":" + queueId + "@" + offset,
                    r -> MessageView.decode(r.body(), g));
            return notFoundAsEmpty(f, a -> a.code() == ResponseCode.PULL_NOT_FOUND
                    || a.code() == ResponseCode.PULL_OFFSET_MOVED || a.code() == ResponseCode.PULL_RETRY_IMMEDIATELY);
        });
    }

    private CompletableFuture<TopicRouteData> route(String topic) {
        return calls.namesrv(() -> RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC,
                new GetRouteInfoRequestHeader(topic, null)), "route of " + topic,
                r -> TopicRouteData.decode(r.bodyBytes()));
    }

    private static CompletableFuture<List<MessageView>> notFoundAsEmpty(CompletableFuture<List<MessageView>> f,
                                                                         Function<AdminException, Boolean> notFound) {
        return f.handle((v, e) -> {
            if (e == null) {
                return v;
            }
            AdminException a = AdminCalls.unwrap(e);
            if (notFound.apply(a)) {
                return List.<MessageView>of();
            }
            throw new CompletionException(a);
        });
    }
}
