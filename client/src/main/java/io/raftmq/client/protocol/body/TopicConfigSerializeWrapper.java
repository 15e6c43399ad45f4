package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.Map;
import java.util.TreeMap;

/**
 * GET_ALL_TOPIC_CONFIG (21) response body and the topic part of RegisterBrokerBody (docs/protocol.md §4.8, vector 23).
 * Topics sorted by name.
 */
public record TopicConfigSerializeWrapper(Map<String, TopicConfig> topicConfigTable, DataVersion dataVersion)
        implements JsonBody {
    public TopicConfigSerializeWrapper {
        topicConfigTable = new TreeMap<>(topicConfigTable);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject();
        if (dataVersion != null) {
            w.name("dataVersion");
            dataVersion.writeJson(w);
        }
        w.name("topicConfigTable").beginObject();
        for (Map.Entry<String, TopicConfig> e : topicConfigTable.entrySet()) {
            w.name(e.getKey());
            e.getValue().writeJson(w);
        }
        w.endObject().endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static TopicConfigSerializeWrapper decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "TopicConfigSerializeWrapper", TopicConfigSerializeWrapper::fromJson);
    }

    public static TopicConfigSerializeWrapper fromJson(JsonObject o) {
        Map<String, TopicConfig> table = new TreeMap<>();
        JsonObject t = o.getObject("topicConfigTable");
        if (t != null) {
            for (Map.Entry<Object, Object> e : t.entries()) {
                table.put(e.getKey().toString(), TopicConfig.fromJson(JsonObject.toObject("TopicConfig",
                        e.getValue())));
            }
        }
        return new TopicConfigSerializeWrapper(table, DataVersion.fromJson(o.getObject("dataVersion")));
    }
}
