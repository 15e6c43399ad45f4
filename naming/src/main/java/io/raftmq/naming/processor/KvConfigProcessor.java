package io.raftmq.naming.processor;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.protocol.header.GetKvConfigResponseHeader;
import io.raftmq.client.protocol.header.KvConfigRequestHeader;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;
import io.raftmq.naming.route.RouteRegistry;

import java.util.Map;

/**
 * KV config of the NameServer, in memory only (docs/protocol.md §2.1): PUT_KV_CONFIG (100), GET_KV_CONFIG (101),
 * DELETE_KV_CONFIG (102) and GET_KVLIST_BY_NAMESPACE (219). mqadmin uses namespace ORDER_TOPIC_CONFIG for
 * {@code updateTopic -o}; those values appear in routes as {@code orderTopicConf}. Like every NameServer, each
 * instance keeps its own entries (mqadmin writes to all of them) and loses them on restart.
 */
public final class KvConfigProcessor implements RequestProcessor {
    /** GET_KVLIST_BY_NAMESPACE: not in the client module's RequestCode table. */
    public static final int GET_KVLIST_BY_NAMESPACE = 219;

    private final RouteRegistry registry;

    public KvConfigProcessor(RouteRegistry registry) {
        this.registry = registry;
    }

    /** The request codes this processor serves. */
    public static int[] codes() {
        return new int[] {RequestCode.PUT_KV_CONFIG, RequestCode.GET_KV_CONFIG, RequestCode.DELETE_KV_CONFIG,
            GET_KVLIST_BY_NAMESPACE};
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        return switch (request.code()) {
            case RequestCode.PUT_KV_CONFIG -> put(request);
            case RequestCode.GET_KV_CONFIG -> get(request);
            case RequestCode.DELETE_KV_CONFIG -> delete(request);
            case GET_KVLIST_BY_NAMESPACE -> list(request);
            default -> throw Requests.unsupported(request.code());
        };
    }

    private RemotingCommand put(RemotingCommand request) throws RemotingCommandException {
        KvConfigRequestHeader h = KvConfigRequestHeader.decode(request.extFields());
        if (h.value() == null) {
            throw new RemotingCommandException("the custom field <value> is null");
        }
        registry.putKv(h.namespace(), h.key(), h.value());
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, null);
    }

    private RemotingCommand get(RemotingCommand request) throws RemotingCommandException {
        KvConfigRequestHeader h = KvConfigRequestHeader.decode(request.extFields());
        String value = registry.snapshot().kv(h.namespace(), h.key());
        if (value == null) {
            return RemotingCommand.createResponse(ResponseCode.QUERY_NOT_FOUND,
                    "No config item, Namespace: " + h.namespace() + " Key: " + h.key());
        }
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, null, new GetKvConfigResponseHeader(value));
    }

    private RemotingCommand delete(RemotingCommand request) throws RemotingCommandException {
        KvConfigRequestHeader h = KvConfigRequestHeader.decode(request.extFields());
        registry.deleteKv(h.namespace(), h.key());
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, null);
    }

    private RemotingCommand list(RemotingCommand request) throws RemotingCommandException {
        String namespace = request.extFieldsOrEmpty().requireString("namespace");
        Map<String, String> entries = registry.snapshot().kvNamespace(namespace);
        if (entries.isEmpty()) {
            return RemotingCommand.createResponse(ResponseCode.QUERY_NOT_FOUND,
                    "No config item, Namespace: " + namespace);
        }
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, null).setBody(new KVTable(entries).encode());
    }
}
