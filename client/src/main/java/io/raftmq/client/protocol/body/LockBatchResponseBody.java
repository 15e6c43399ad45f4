package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.List;

/**
 * LOCK_BATCH_MQ (41) response body: the queues now locked by the requesting client (docs/protocol.md §4.5,
 * vector 17).
 */
public record LockBatchResponseBody(List<MessageQueue> lockOKMQSet) implements JsonBody {
    public LockBatchResponseBody {
        lockOKMQSet = List.copyOf(lockOKMQSet);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().name("lockOKMQSet").beginArray();
        for (MessageQueue mq : lockOKMQSet) {
            mq.writeJson(w);
        }
        w.endArray().endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static LockBatchResponseBody decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "LockBatchResponseBody", o -> new LockBatchResponseBody(
                Bodies.objects(o.getArray("lockOKMQSet"), "MessageQueue", MessageQueue::fromJson)));
    }
}
