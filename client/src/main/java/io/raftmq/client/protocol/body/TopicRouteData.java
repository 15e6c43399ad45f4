package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * GET_ROUTEINFO_BY_TOPIC (105) response body (docs/protocol.md §4.2, vectors 13/14). {@code topicQueueMappingByBroker}
 * is never written (a non-empty value switches clients to logical-queue mode).
 */
public record TopicRouteData(String orderTopicConf, List<QueueData> queueDatas, List<BrokerData> brokerDatas,
                             Map<String, List<String>> filterServerTable) implements JsonBody {
    public TopicRouteData {
        queueDatas = List.copyOf(queueDatas);
        brokerDatas = List.copyOf(brokerDatas);
        filterServerTable = filterServerTable == null ? new TreeMap<>() : new TreeMap<>(filterServerTable);
    }

    /** Plain fastjson form (bare brokerAddrs keys, vector 13). */
    @Override
    public void writeJson(JsonWriter w) {
        writeJson(w, false);
    }

    /** {@code standardJson}: quote numeric keys, as the 5.3.3 namesrv does for request version 401+ (vector 14). */
    public void writeJson(JsonWriter w, boolean standardJson) {
        w.beginObject().name("brokerDatas").beginArray();
        for (BrokerData b : brokerDatas) {
            b.writeJson(w, standardJson);
        }
        w.endArray().name("filterServerTable").beginObject();
        for (Map.Entry<String, List<String>> e : filterServerTable.entrySet()) {
            Bodies.writeStrings(w, e.getKey(), e.getValue());
        }
        w.endObject().field("orderTopicConf", orderTopicConf).name("queueDatas").beginArray();
        for (QueueData q : queueDatas) {
            q.writeJson(w);
        }
        w.endArray().endObject();
    }

    /** Encodes in plain or standard form (see {@link #writeJson(JsonWriter, boolean)}). */
    public byte[] encode(boolean standardJson) {
        JsonWriter w = new JsonWriter();
        writeJson(w, standardJson);
        return w.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static TopicRouteData decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "TopicRouteData", TopicRouteData::fromJson);
    }

    public static TopicRouteData fromJson(JsonObject o) {
        Map<String, List<String>> filters = new TreeMap<>();
        JsonObject f = o.getObject("filterServerTable");
        if (f != null) {
            for (Map.Entry<Object, Object> e : f.entries()) {
                filters.put(e.getKey().toString(), Bodies.strings(f.getArray(e.getKey().toString())));
            }
        }
        return new TopicRouteData(o.getString("orderTopicConf"),
                Bodies.objects(o.getArray("queueDatas"), "QueueData", QueueData::fromJson),
                Bodies.objects(o.getArray("brokerDatas"), "BrokerData", BrokerData::fromJson), filters);
    }
}
