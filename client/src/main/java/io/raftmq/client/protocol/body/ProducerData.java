package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

/** A producer group announced in a heartbeat (docs/protocol.md §4.4). */
public record ProducerData(String groupName) implements JsonBody {
    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("groupName", groupName).endObject();
    }

    public static ProducerData fromJson(JsonObject o) {
        return new ProducerData(o.getString("groupName"));
    }
}
