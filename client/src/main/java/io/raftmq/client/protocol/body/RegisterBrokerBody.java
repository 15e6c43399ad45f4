package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.List;
import java.util.Map;

/**
 * REGISTER_BROKER (103) request body, uncompressed form (docs/protocol.md §2.1):
 * {@code {"filterServerList":[],"topicConfigSerializeWrapper":{...}}}. RaftMQ never sets {@code compressed}.
 */
public record RegisterBrokerBody(TopicConfigSerializeWrapper topicConfigSerializeWrapper, List<String> filterServerList)
        implements JsonBody {
    public RegisterBrokerBody {
        filterServerList = filterServerList == null ? List.of() : List.copyOf(filterServerList);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject();
        Bodies.writeStrings(w, "filterServerList", filterServerList);
        w.name("topicConfigSerializeWrapper");
        topicConfigSerializeWrapper.writeJson(w);
        w.endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static RegisterBrokerBody decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "RegisterBrokerBody", o -> {
            JsonObject wrapper = o.getObject("topicConfigSerializeWrapper");
            TopicConfigSerializeWrapper t = wrapper == null
                    ? new TopicConfigSerializeWrapper(Map.of(), new DataVersion(0, 0, 0))
                    : TopicConfigSerializeWrapper.fromJson(wrapper);
            return new RegisterBrokerBody(t, Bodies.strings(o.getArray("filterServerList")));
        });
    }
}
