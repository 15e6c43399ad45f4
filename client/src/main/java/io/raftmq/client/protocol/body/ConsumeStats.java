package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * GET_CONSUME_STATS (208) response body (docs/protocol.md §4.7, vector 20). offsetTable keys are MessageQueues written
 * as JSON object keys like fastjson (not standard JSON; the client also accepts stringified keys, which we parse too).
 * The table is sorted by queue.
 */
public record ConsumeStats(double consumeTps, SortedMap<MessageQueue, OffsetWrapper> offsetTable) implements JsonBody {
    public ConsumeStats {
        offsetTable = new TreeMap<>(offsetTable);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("consumeTps", consumeTps).name("offsetTable").beginObject();
        for (Map.Entry<MessageQueue, OffsetWrapper> e : offsetTable.entrySet()) {
            e.getKey().writeAsName(w);
            e.getValue().writeJson(w);
        }
        w.endObject().endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static ConsumeStats decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "ConsumeStats", o -> {
            SortedMap<MessageQueue, OffsetWrapper> table = new TreeMap<>();
            JsonObject t = o.getObject("offsetTable");
            if (t != null) {
                for (Map.Entry<Object, Object> e : t.entries()) {
                    table.put(MessageQueue.fromJson(e.getKey()),
                            OffsetWrapper.fromJson(JsonObject.toObject("OffsetWrapper", e.getValue())));
                }
            }
            return new ConsumeStats(o.getDouble("consumeTps", 0), table);
        });
    }
}
