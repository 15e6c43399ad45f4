package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.Comparator;

/**
 * A queue of a topic on one broker group: {@code {"brokerName","queueId","topic"}} (docs/protocol.md §4.5). Also the
 * key of ConsumeStats/TopicStatsTable maps, where fastjson writes it as an object key (docs/protocol.md §4.1). Sorted
 * by topic, then brokerName, then queueId, like the client.
 */
public record MessageQueue(String topic, String brokerName, int queueId) implements JsonBody, Comparable<MessageQueue> {
    private static final Comparator<MessageQueue> ORDER = Comparator
            .comparing(MessageQueue::topic, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(MessageQueue::brokerName, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingInt(MessageQueue::queueId);

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject();
        writeFields(w);
        w.endObject();
    }

    /** Writes this queue as an object map key, followed by the colon. */
    public void writeAsName(JsonWriter w) {
        w.beginObjectName();
        writeFields(w);
        w.endObjectName();
    }

    private void writeFields(JsonWriter w) {
        w.field("brokerName", brokerName).field("queueId", queueId).field("topic", topic);
    }

    /** From a parsed object, or from a map key that is an object or a string holding one (docs/protocol.md §4.1). */
    public static MessageQueue fromJson(Object o) {
        JsonObject j = JsonObject.toObject("MessageQueue", o);
        return new MessageQueue(j.getString("topic"), j.getString("brokerName"), j.getInt("queueId", 0));
    }

    @Override
    public int compareTo(MessageQueue o) {
        return ORDER.compare(this, o);
    }
}
