package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.List;

/** QUERY_TOPIC_CONSUME_BY_WHO (300) response body {@code {"groupList":[...]}} (docs/protocol.md §4.8). */
public record GroupList(List<String> groupList) implements JsonBody {
    public GroupList {
        groupList = List.copyOf(groupList);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject();
        Bodies.writeStrings(w, "groupList", groupList);
        w.endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static GroupList decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "GroupList", o -> new GroupList(Bodies.strings(o.getArray("groupList"))));
    }
}
