package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The body of INVOKE_BROKER_TO_RESET_OFFSET's answer (222) and of RESET_CONSUMER_CLIENT_OFFSET (220): the offset
 * each queue was reset to, {@code {"offsetTable":{MessageQueue-as-key: offset}}} (keys written as JSON objects, as
 * fastjson writes them, docs/protocol.md §4.7).
 */
public record ResetOffsetBody(SortedMap<MessageQueue, Long> offsetTable) implements JsonBody {
    public ResetOffsetBody {
        offsetTable = new TreeMap<>(offsetTable);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().name("offsetTable").beginObject();
        for (Map.Entry<MessageQueue, Long> e : offsetTable.entrySet()) {
            e.getKey().writeAsName(w);
            w.value(e.getValue().longValue());
        }
        w.endObject().endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static ResetOffsetBody decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "ResetOffsetBody", o -> {
            SortedMap<MessageQueue, Long> table = new TreeMap<>();
            JsonObject t = o.getObject("offsetTable");
            if (t != null) {
                for (Map.Entry<Object, Object> e : t.entries()) {
                    table.put(MessageQueue.fromJson(e.getKey()), JsonObject.toLong("offset", e.getValue(), 0));
                }
            }
            return new ResetOffsetBody(table);
        });
    }
}
