package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

/**
 * CHECK_CLIENT_CONFIG (46) request body (docs/protocol.md §4.4): a consumer asks each broker, before it starts,
 * whether a subscription that is not a tag expression (SQL92) is accepted there. Fields in fastjson order.
 */
public record CheckClientRequestBody(String clientId, String group, SubscriptionData subscriptionData)
    implements JsonBody {

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("clientId", clientId).field("group", group);
        if (subscriptionData != null) {
            w.name("subscriptionData");
            subscriptionData.writeJson(w);
        }
        w.endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static CheckClientRequestBody decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "CheckClientRequestBody", o -> {
            JsonObject s = o.getObject("subscriptionData");
            return new CheckClientRequestBody(o.getString("clientId"), o.getString("group"),
                s == null ? null : SubscriptionData.fromJson(s));
        });
    }
}
