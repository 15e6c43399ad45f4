package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.List;

/** GET_PRODUCER_CONNECTION_LIST (204) response body {@code {"connectionSet":[...]}} (docs/protocol.md §2.11). */
public record ProducerConnection(List<Connection> connectionSet) implements JsonBody {
    public ProducerConnection {
        connectionSet = List.copyOf(connectionSet);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().name("connectionSet").beginArray();
        for (Connection c : connectionSet) {
            c.writeJson(w);
        }
        w.endArray().endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static ProducerConnection decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "ProducerConnection",
                o -> new ProducerConnection(Bodies.objects(o.getArray("connectionSet"), "Connection",
                        Connection::fromJson)));
    }
}
