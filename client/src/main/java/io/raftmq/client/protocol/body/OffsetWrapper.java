package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

/** Per-queue progress inside ConsumeStats (docs/protocol.md §2.11, 4.7). */
public record OffsetWrapper(long brokerOffset, long consumerOffset, long pullOffset, long lastTimestamp)
        implements JsonBody {
    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("brokerOffset", brokerOffset).field("consumerOffset", consumerOffset)
                .field("lastTimestamp", lastTimestamp).field("pullOffset", pullOffset).endObject();
    }

    public static OffsetWrapper fromJson(JsonObject o) {
        return new OffsetWrapper(o.getLong("brokerOffset", 0), o.getLong("consumerOffset", 0),
                o.getLong("pullOffset", 0), o.getLong("lastTimestamp", 0));
    }
}
