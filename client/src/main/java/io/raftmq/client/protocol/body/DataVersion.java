package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

/** Version stamp of a broker's topic/subscription tables (docs/protocol.md §4.8). */
public record DataVersion(long counter, long stateVersion, long timestamp) implements JsonBody {
    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("counter", counter).field("stateVersion", stateVersion).field("timestamp", timestamp)
                .endObject();
    }

    public static DataVersion fromJson(JsonObject o) {
        if (o == null) {
            return new DataVersion(0, 0, 0);
        }
        return new DataVersion(o.getLong("counter", 0), o.getLong("stateVersion", 0), o.getLong("timestamp", 0));
    }
}
