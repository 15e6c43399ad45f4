package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

/** One client connection in ConsumerConnection/ProducerConnection (docs/protocol.md §4.8, vector 25). */
public record Connection(String clientId, String clientAddr, String language, int version) implements JsonBody {
    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("clientAddr", clientAddr).field("clientId", clientId).field("language", language)
                .field("version", version).endObject();
    }

    public static Connection fromJson(JsonObject o) {
        return new Connection(o.getString("clientId"), o.getString("clientAddr"), o.getString("language"),
                o.getInt("version", 0));
    }
}
