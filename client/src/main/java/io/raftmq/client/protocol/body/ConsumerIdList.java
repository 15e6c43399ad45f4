package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.List;

/**
 * GET_CONSUMER_LIST_BY_GROUP (38) response body {@code {"consumerIdList":[...]}} (docs/protocol.md §4.6,
 * vector 19).
 */
public record ConsumerIdList(List<String> consumerIdList) implements JsonBody {
    public ConsumerIdList {
        consumerIdList = List.copyOf(consumerIdList);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject();
        Bodies.writeStrings(w, "consumerIdList", consumerIdList);
        w.endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static ConsumerIdList decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "ConsumerIdList",
                o -> new ConsumerIdList(Bodies.strings(o.getArray("consumerIdList"))));
    }
}
