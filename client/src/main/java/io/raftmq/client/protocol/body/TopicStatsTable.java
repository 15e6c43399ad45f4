package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * GET_TOPIC_STATS_INFO (202) response body (docs/protocol.md §4.7, vector 21), keyed by MessageQueue object keys like
 * {@link ConsumeStats}.
 */
public record TopicStatsTable(SortedMap<MessageQueue, TopicOffset> offsetTable, double topicPutTps)
        implements JsonBody {
    public TopicStatsTable {
        offsetTable = new TreeMap<>(offsetTable);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().name("offsetTable").beginObject();
        for (Map.Entry<MessageQueue, TopicOffset> e : offsetTable.entrySet()) {
            e.getKey().writeAsName(w);
            e.getValue().writeJson(w);
        }
        w.endObject().field("topicPutTps", topicPutTps).endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static TopicStatsTable decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "TopicStatsTable", o -> {
            SortedMap<MessageQueue, TopicOffset> table = new TreeMap<>();
            JsonObject t = o.getObject("offsetTable");
            if (t != null) {
                for (Map.Entry<Object, Object> e : t.entries()) {
                    table.put(MessageQueue.fromJson(e.getKey()),
                            TopicOffset.fromJson(JsonObject.toObject("TopicOffset", e.getValue())));
                }
            }
            return new TopicStatsTable(table, o.getDouble("topicPutTps", 0));
        });
    }
}
