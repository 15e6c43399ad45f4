package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.Map;
import java.util.TreeMap;

/**
 * A topic's configuration (docs/protocol.md §4.8): GET_TOPIC_CONFIG (351) body (vector 27) and the values of
 * TopicConfigSerializeWrapper (vector 23). perm bits as in {@link QueueData}.
 */
public record TopicConfig(String topicName, int readQueueNums, int writeQueueNums, int perm, String topicFilterType,
                          int topicSysFlag, boolean order, Map<String, String> attributes) implements JsonBody {
    public static final String SINGLE_TAG = "SINGLE_TAG";

    public TopicConfig {
        attributes = attributes == null ? new TreeMap<>() : new TreeMap<>(attributes);
    }

    /** A normal topic: perm 6 (read+write), SINGLE_TAG, not ordered, no attributes. */
    public static TopicConfig of(String topic, int queueNums) {
        return new TopicConfig(topic, queueNums, queueNums, QueueData.PERM_READ | QueueData.PERM_WRITE, SINGLE_TAG, 0,
                false, Map.of());
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject();
        Bodies.writeStringMap(w, "attributes", attributes);
        w.field("order", order).field("perm", perm).field("readQueueNums", readQueueNums)
                .field("topicFilterType", topicFilterType).field("topicName", topicName)
                .field("topicSysFlag", topicSysFlag).field("writeQueueNums", writeQueueNums).endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static TopicConfig decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "TopicConfig", TopicConfig::fromJson);
    }

    public static TopicConfig fromJson(JsonObject o) {
        return new TopicConfig(o.getString("topicName"), o.getInt("readQueueNums", 0), o.getInt("writeQueueNums", 0),
                o.getInt("perm", 0), o.getString("topicFilterType"), o.getInt("topicSysFlag", 0),
                o.getBoolean("order", false), Bodies.stringMap(o.getObject("attributes"), new TreeMap<>()));
    }
}
