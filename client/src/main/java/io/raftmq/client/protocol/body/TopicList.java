package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.List;

/**
 * GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206) response body (docs/protocol.md §4.8, vector 26); brokerAddr is normally
 * null.
 */
public record TopicList(List<String> topicList, String brokerAddr) implements JsonBody {
    public TopicList {
        topicList = List.copyOf(topicList);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("brokerAddr", brokerAddr);
        Bodies.writeStrings(w, "topicList", topicList);
        w.endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static TopicList decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "TopicList",
                o -> new TopicList(Bodies.strings(o.getArray("topicList")), o.getString("brokerAddr")));
    }
}
