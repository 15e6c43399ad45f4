package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.List;

/**
 * HEART_BEAT (34) request body (docs/protocol.md §4.4, vector 11). With heartbeat v2 a repeat heartbeat may carry
 * {@code withoutSub=true} and empty subscription sets: never treat that as "unsubscribed".
 */
public record HeartbeatData(String clientID, List<ProducerData> producerDataSet, List<ConsumerData> consumerDataSet,
                            int heartbeatFingerprint, boolean withoutSub) implements JsonBody {
    public HeartbeatData {
        producerDataSet = List.copyOf(producerDataSet);
        consumerDataSet = List.copyOf(consumerDataSet);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("clientID", clientID).name("consumerDataSet").beginArray();
        for (ConsumerData c : consumerDataSet) {
            c.writeJson(w);
        }
        w.endArray().field("heartbeatFingerprint", heartbeatFingerprint).name("producerDataSet").beginArray();
        for (ProducerData p : producerDataSet) {
            p.writeJson(w);
        }
        w.endArray().field("withoutSub", withoutSub).endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static HeartbeatData decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "HeartbeatData", HeartbeatData::fromJson);
    }

    public static HeartbeatData fromJson(JsonObject o) {
        return new HeartbeatData(o.getString("clientID"),
                Bodies.objects(o.getArray("producerDataSet"), "ProducerData", ProducerData::fromJson),
                Bodies.objects(o.getArray("consumerDataSet"), "ConsumerData", ConsumerData::fromJson),
                o.getInt("heartbeatFingerprint", 0), o.getBoolean("withoutSub", false));
    }
}
