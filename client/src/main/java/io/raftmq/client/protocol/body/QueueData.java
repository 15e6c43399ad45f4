package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

/**
 * Per-broker queue layout of a topic inside TopicRouteData (docs/protocol.md §4.2). perm bits: {@link #PERM_READ},
 * {@link #PERM_WRITE}, {@link #PERM_INHERIT}, {@link #PERM_PRIORITY}; normal topics have 6, TBW102 has 7.
 */
public record QueueData(String brokerName, int readQueueNums, int writeQueueNums, int perm, int topicSysFlag)
        implements JsonBody {
    public static final int PERM_PRIORITY = 8;
    public static final int PERM_READ = 4;
    public static final int PERM_WRITE = 2;
    public static final int PERM_INHERIT = 1;

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("brokerName", brokerName).field("perm", perm).field("readQueueNums", readQueueNums)
                .field("topicSysFlag", topicSysFlag).field("writeQueueNums", writeQueueNums).endObject();
    }

    public static QueueData fromJson(JsonObject o) {
        return new QueueData(o.getString("brokerName"), o.getInt("readQueueNums", 0), o.getInt("writeQueueNums", 0),
                o.getInt("perm", 0), o.getInt("topicSysFlag", 0));
    }
}
