package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.List;

/**
 * LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42) request body (docs/protocol.md §4.5, vectors 16/18): both carry the same
 * fields ({@code onlyThisBroker} has no meaning for unlock).
 */
public record LockBatchRequestBody(String clientId, String consumerGroup, List<MessageQueue> mqSet,
                                   boolean onlyThisBroker) implements JsonBody {
    public LockBatchRequestBody {
        mqSet = List.copyOf(mqSet);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("clientId", clientId).field("consumerGroup", consumerGroup).name("mqSet").beginArray();
        for (MessageQueue mq : mqSet) {
            mq.writeJson(w);
        }
        w.endArray().field("onlyThisBroker", onlyThisBroker).endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static LockBatchRequestBody decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "LockBatchRequestBody", o -> new LockBatchRequestBody(o.getString("clientId"),
                o.getString("consumerGroup"), Bodies.objects(o.getArray("mqSet"), "MessageQueue",
                        MessageQueue::fromJson),
                o.getBoolean("onlyThisBroker", false)));
    }
}
