package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * GET_CONSUMER_CONNECTION_LIST (203) response body (docs/protocol.md §4.8, vector 25); subscriptions keyed by
 * topic.
 */
public record ConsumerConnection(List<Connection> connectionSet, String consumeType, String messageModel,
                                 String consumeFromWhere, Map<String, SubscriptionData> subscriptionTable)
        implements JsonBody {
    public ConsumerConnection {
        connectionSet = List.copyOf(connectionSet);
        subscriptionTable = new TreeMap<>(subscriptionTable);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().name("connectionSet").beginArray();
        for (Connection c : connectionSet) {
            c.writeJson(w);
        }
        w.endArray().field("consumeFromWhere", consumeFromWhere).field("consumeType", consumeType)
                .field("messageModel", messageModel).name("subscriptionTable").beginObject();
        for (Map.Entry<String, SubscriptionData> e : subscriptionTable.entrySet()) {
            w.name(e.getKey());
            e.getValue().writeJson(w);
        }
        w.endObject().endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static ConsumerConnection decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "ConsumerConnection", o -> {
            Map<String, SubscriptionData> subs = new TreeMap<>();
            JsonObject t = o.getObject("subscriptionTable");
            if (t != null) {
                for (Map.Entry<Object, Object> e : t.entries()) {
                    subs.put(e.getKey().toString(),
                            SubscriptionData.fromJson(JsonObject.toObject("SubscriptionData", e.getValue())));
                }
            }
            return new ConsumerConnection(Bodies.objects(o.getArray("connectionSet"), "Connection",
                    Connection::fromJson),
                    o.getString("consumeType"), o.getString("messageModel"), o.getString("consumeFromWhere"), subs);
        });
    }
}
