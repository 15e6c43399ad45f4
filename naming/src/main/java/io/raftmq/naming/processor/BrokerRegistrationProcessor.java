package io.raftmq.naming.processor;

import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.DataVersion;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.protocol.body.RegisterBrokerBody;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.body.TopicConfigSerializeWrapper;
import io.raftmq.client.protocol.header.RegisterBrokerRequestHeader;
import io.raftmq.client.protocol.header.RegisterBrokerResponseHeader;
import io.raftmq.client.protocol.header.UnregisterBrokerRequestHeader;
import io.raftmq.client.protocol.json.JsonParseException;
import io.raftmq.client.protocol.json.JsonReader;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;
import io.raftmq.naming.route.BrokerRegistration;
import io.raftmq.naming.route.RouteRegistry;
import io.raftmq.naming.route.RouteTable;

import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The broker side of the NameServer: REGISTER_BROKER (103), UNREGISTER_BROKER (104), BROKER_HEARTBEAT (904) and
 * QUERY_DATA_VERSION (322), modelled on RocketMQ's (docs/protocol.md §2.1). A registration carries the broker's topic
 * configs (plain RegisterBrokerBody JSON, or the compressed form when {@code compressed=true}), and its connection:
 * when that connection closes the broker is dropped at once. Register it on a single-threaded executor so the
 * registrations of one broker are applied in the order they were sent.
 */
public final class BrokerRegistrationProcessor implements RequestProcessor {
    private final RouteRegistry registry;
    private final long defaultExpiryMs;

    /**
     * @param registry        the route state
     * @param defaultExpiryMs lease of a broker that sends no {@code heartbeatTimeoutMillis}
     */
    public BrokerRegistrationProcessor(RouteRegistry registry, long defaultExpiryMs) {
        if (defaultExpiryMs <= 0) {
            throw new IllegalArgumentException("defaultExpiryMs must be > 0: " + defaultExpiryMs);
        }
        this.registry = registry;
        this.defaultExpiryMs = defaultExpiryMs;
    }

    /** The request codes this processor serves. */
    public static int[] codes() {
        return new int[] {RequestCode.REGISTER_BROKER, RequestCode.UNREGISTER_BROKER, RequestCode.BROKER_HEARTBEAT,
            RequestCode.QUERY_DATA_VERSION};
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        return switch (request.code()) {
            case RequestCode.REGISTER_BROKER -> register(ctx.channel(), request);
            case RequestCode.UNREGISTER_BROKER -> unregister(request);
            case RequestCode.BROKER_HEARTBEAT -> heartbeat(request);
            case RequestCode.QUERY_DATA_VERSION -> queryDataVersion(request);
            default -> throw Requests.unsupported(request.code());
        };
    }

    /** Applies a registration; {@code connection} is the identity whose close drops the broker. */
    RemotingCommand register(Object connection, RemotingCommand request) throws RemotingCommandException {
        RegisterBrokerRequestHeader h = RegisterBrokerRequestHeader.decode(request.extFields());
        byte[] body = request.bodyBytes();
        checkCrc(h.bodyCrc32(), body);
        RegisterBrokerBody b = decodeBody(h.compressed(), body);
        List<TopicConfig> topics = List.copyOf(b.topicConfigSerializeWrapper().topicConfigTable().values());
        for (TopicConfig tc : topics) {
            if (tc.topicName() == null || tc.topicName().isEmpty()) {
                throw new RemotingCommandException(ResponseCode.INVALID_PARAMETER, "topic config without topicName");
            }
        }
        Long timeout = h.heartbeatTimeoutMillis();
        long expiryMs = timeout != null && timeout > 0 ? timeout : defaultExpiryMs;
        BrokerRegistration reg;
        try {
            reg = new BrokerRegistration(h.clusterName(), h.brokerName(), h.brokerAddr(), h.haServerAddr(),
                    h.brokerId(), topics, b.topicConfigSerializeWrapper().dataVersion(), expiryMs, connection);
        } catch (IllegalArgumentException e) {
            throw new RemotingCommandException(ResponseCode.INVALID_PARAMETER, e.getMessage());
        }
        RouteRegistry.RegisterResult r = registry.register(reg);
        RemotingCommand response = RemotingCommand.createResponse(ResponseCode.SUCCESS, null,
                new RegisterBrokerResponseHeader(r.masterHaServerAddr(), r.masterAddr()));
        Map<String, String> order = registry.snapshot().kvNamespace(RouteTable.ORDER_TOPIC_CONFIG);
        if (!order.isEmpty()) {
            response.setBody(new KVTable(order).encode());
        }
        return response;
    }

    private RemotingCommand unregister(RemotingCommand request) throws RemotingCommandException {
        UnregisterBrokerRequestHeader h = UnregisterBrokerRequestHeader.decode(request.extFields());
        registry.unregister(h.clusterName(), h.brokerName(), h.brokerAddr());
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, null);
    }

    private RemotingCommand heartbeat(RemotingCommand request) throws RemotingCommandException {
        ExtFields f = request.extFieldsOrEmpty();
        registry.heartbeat(f.requireString("clusterName"), f.requireString("brokerAddr"));
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, null);
    }

    private RemotingCommand queryDataVersion(RemotingCommand request) throws RemotingCommandException {
        ExtFields f = request.extFieldsOrEmpty();
        String cluster = f.requireString("clusterName");
        String addr = f.requireString("brokerAddr");
        byte[] body = request.bodyBytes();
        DataVersion reported = null;
        if (body != null && body.length > 0) {
            try {
                reported = DataVersion.fromJson(JsonReader.parseObject(body));
            } catch (JsonParseException | IllegalArgumentException | ClassCastException e) {
                throw new RemotingCommandException("malformed DataVersion body: " + e.getMessage());
            }
        }
        RouteRegistry.VersionCheck check = registry.checkDataVersion(cluster, addr, reported);
        RemotingCommand response = RemotingCommand.createResponse(ResponseCode.SUCCESS, null);
        response.extFields().put("changed", check.changed());
        if (check.registered() != null) {
            response.setBody(check.registered().encode());
        }
        return response;
    }

    private static void checkCrc(int expected, byte[] body) throws RemotingCommandException {
        if (expected == 0 || body == null) {
            return;
        }
        CRC32 crc = new CRC32();
        crc.update(body);
        int actual = (int) (crc.getValue() & 0x7FFFFFFFL);
        if (actual != expected) {
            throw new RemotingCommandException(ResponseCode.SYSTEM_ERROR, "crc32 not match: bodyCrc32=" + expected
                    + ", computed " + actual);
        }
    }

    private static RegisterBrokerBody decodeBody(boolean compressed, byte[] body) throws RemotingCommandException {
        if (body == null || body.length == 0) {
            return new RegisterBrokerBody(new TopicConfigSerializeWrapper(Map.of(),
                    new DataVersion(0, 0, 0)), List.of());
        }
        return compressed ? CompressedRegisterBody.decode(body) : RegisterBrokerBody.decode(body);
    }
}
