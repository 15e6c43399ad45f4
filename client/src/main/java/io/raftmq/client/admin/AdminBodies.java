package io.raftmq.client.admin;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonParseException;
import io.raftmq.client.protocol.json.JsonReader;

import java.util.Map;
import java.util.TreeMap;

/**
 * Answer bodies the admin API reads that have no body class of their own: GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201),
 * {@code {"subscriptionGroupTable":{name:SubscriptionGroupConfig},"dataVersion":{...}}} (docs/protocol.md §2.11).
 */
final class AdminBodies {
    private AdminBodies() {
    }

    /** The groups of a 201 answer, by name. */
    static Map<String, SubscriptionGroupConfig> subscriptionGroups(byte[] body) throws RemotingCommandException {
        if (body == null || body.length == 0) {
            throw new RemotingCommandException("missing subscription group table body");
        }
        try {
            JsonObject table = JsonReader.parseObject(body).getObject("subscriptionGroupTable");
            Map<String, SubscriptionGroupConfig> out = new TreeMap<>();
            if (table != null) {
                for (Map.Entry<Object, Object> e : table.entries()) {
                    out.put(e.getKey().toString(), SubscriptionGroupConfig.fromJson(JsonObject.toObject(
                            "SubscriptionGroupConfig", e.getValue())));
                }
            }
            return out;
        } catch (JsonParseException | ClassCastException | IllegalArgumentException e) {
            throw new RemotingCommandException("malformed subscription group table: " + e.getMessage());
        }
    }
}
