package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

/** Per-queue bounds inside TopicStatsTable (docs/protocol.md §4.7). */
public record TopicOffset(long minOffset, long maxOffset, long lastUpdateTimestamp) implements JsonBody {
    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("lastUpdateTimestamp", lastUpdateTimestamp).field("maxOffset", maxOffset)
                .field("minOffset", minOffset).endObject();
    }

    public static TopicOffset fromJson(JsonObject o) {
        return new TopicOffset(o.getLong("minOffset", 0), o.getLong("maxOffset", 0),
                o.getLong("lastUpdateTimestamp", 0));
    }
}
