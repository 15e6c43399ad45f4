package io.raftmq.naming.processor;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.TopicList;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.header.DeleteTopicFromNamesrvRequestHeader;
import io.raftmq.client.protocol.header.GetRouteInfoRequestHeader;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;
import io.raftmq.naming.route.RouteRegistry;

/**
 * The client and mqadmin side of the NameServer (docs/protocol.md §2.1): GET_ROUTEINFO_BY_TOPIC (105),
 * GET_BROKER_CLUSTER_INFO (106), GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206), GET_TOPICS_BY_CLUSTER (224) and
 * DELETE_TOPIC_IN_NAMESRV (216). Reads are served from one lock-free snapshot each, so they may run on any
 * number of threads.
 */
public final class RouteQueryProcessor implements RequestProcessor {
    /** Request version from which the 5.3.3 NameServer quotes numeric map keys (V4_9_4, docs/protocol.md §2.1). */
    public static final int STANDARD_JSON_VERSION_MIN = 401;

    private final RouteRegistry registry;

    public RouteQueryProcessor(RouteRegistry registry) {
        this.registry = registry;
    }

    /** The request codes this processor serves. */
    public static int[] codes() {
        return new int[] {RequestCode.GET_ROUTEINFO_BY_TOPIC, RequestCode.GET_BROKER_CLUSTER_INFO,
            RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, RequestCode.GET_TOPICS_BY_CLUSTER,
            RequestCode.DELETE_TOPIC_IN_NAMESRV};
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        return switch (request.code()) {
            case RequestCode.GET_ROUTEINFO_BY_TOPIC -> routeInfo(request);
            case RequestCode.GET_BROKER_CLUSTER_INFO ->
                    withBody(registry.snapshot().clusterInfo().encode());
            case RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER ->
                    withBody(new TopicList(registry.snapshot().topicNames(), null).encode());
            case RequestCode.GET_TOPICS_BY_CLUSTER -> withBody(new TopicList(
                    registry.snapshot().topicNamesOfCluster(request.extFieldsOrEmpty().requireString("cluster")),
                    null).encode());
            case RequestCode.DELETE_TOPIC_IN_NAMESRV -> deleteTopic(request);
            default -> throw Requests.unsupported(request.code());
        };
    }

    /**
     * 105: the topic's route, with quoted brokerAddrs keys for request version 401+ or acceptStandardJsonOnly;
     * 17 with RocketMQ's remark for a topic no live broker group serves.
     */
    private RemotingCommand routeInfo(RemotingCommand request) throws RemotingCommandException {
        GetRouteInfoRequestHeader h = GetRouteInfoRequestHeader.decode(request.extFields());
        TopicRouteData route = registry.snapshot().topicRoute(h.topic());
        if (route == null) {
            return RemotingCommand.createResponse(ResponseCode.TOPIC_NOT_EXIST,
                    "No topic route info in name server for the topic: " + h.topic());
        }
        boolean standard = request.version() >= STANDARD_JSON_VERSION_MIN
                || Boolean.TRUE.equals(h.acceptStandardJsonOnly());
        return withBody(route.encode(standard));
    }

    private RemotingCommand deleteTopic(RemotingCommand request) throws RemotingCommandException {
        DeleteTopicFromNamesrvRequestHeader h = DeleteTopicFromNamesrvRequestHeader.decode(request.extFields());
        String cluster = h.clusterName() == null || h.clusterName().isEmpty() ? null : h.clusterName();
        registry.deleteTopic(h.topic(), cluster);
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, null);
    }

    private static RemotingCommand withBody(byte[] body) {
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, null).setBody(body);
    }
}
