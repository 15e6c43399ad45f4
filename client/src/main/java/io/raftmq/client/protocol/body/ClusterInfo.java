package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * GET_BROKER_CLUSTER_INFO (106) response body (docs/protocol.md §4.3, vector 15): brokerName to BrokerData and
 * clusterName to the broker names in it. Maps are kept sorted by name (parsing does not depend on order).
 */
public record ClusterInfo(Map<String, BrokerData> brokerAddrTable, Map<String, List<String>> clusterAddrTable)
        implements JsonBody {
    public ClusterInfo {
        brokerAddrTable = new TreeMap<>(brokerAddrTable);
        clusterAddrTable = new TreeMap<>(clusterAddrTable);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().name("brokerAddrTable").beginObject();
        for (Map.Entry<String, BrokerData> e : brokerAddrTable.entrySet()) {
            w.name(e.getKey());
            e.getValue().writeJson(w, false);
        }
        w.endObject().name("clusterAddrTable").beginObject();
        for (Map.Entry<String, List<String>> e : clusterAddrTable.entrySet()) {
            Bodies.writeStrings(w, e.getKey(), e.getValue());
        }
        w.endObject().endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static ClusterInfo decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "ClusterInfo", ClusterInfo::fromJson);
    }

    public static ClusterInfo fromJson(JsonObject o) {
        Map<String, BrokerData> brokers = new TreeMap<>();
        JsonObject b = o.getObject("brokerAddrTable");
        if (b != null) {
            for (Map.Entry<Object, Object> e : b.entries()) {
                brokers.put(e.getKey().toString(), BrokerData.fromJson(JsonObject.toObject("BrokerData",
                        e.getValue())));
            }
        }
        Map<String, List<String>> clusters = new TreeMap<>();
        JsonObject c = o.getObject("clusterAddrTable");
        if (c != null) {
            for (Map.Entry<Object, Object> e : c.entries()) {
                clusters.put(e.getKey().toString(), Bodies.strings(c.getArray(e.getKey().toString())));
            }
        }
        return new ClusterInfo(brokers, clusters);
    }
}
