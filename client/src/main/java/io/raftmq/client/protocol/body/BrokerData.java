package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One broker group in a route or cluster table (docs/protocol.md §4.2): {@code brokerAddrs} maps brokerId to
 * "ip:port", id 0 being the leader/master. fastjson writes the Long keys bare ({@code {0:"a"}}, vectors 13/15);
 * the 5.3.3 NameServer quotes them for clients of version 401+ (vector 14). Both are parsed.
 */
public record BrokerData(String cluster, String brokerName, SortedMap<Long, String> brokerAddrs, String zoneName,
                         boolean enableActingMaster) implements JsonBody {
    /** brokerId of the leader/master. */
    public static final long MASTER_ID = 0L;

    public BrokerData {
        brokerAddrs = brokerAddrs == null ? new TreeMap<>() : new TreeMap<>(brokerAddrs);
    }

    /** Plain fastjson form (bare numeric keys). */
    @Override
    public void writeJson(JsonWriter w) {
        writeJson(w, false);
    }

    /** Writes with bare ({@code quotedKeys=false}) or quoted numeric brokerAddrs keys. */
    public void writeJson(JsonWriter w, boolean quotedKeys) {
        w.beginObject().name("brokerAddrs").beginObject();
        for (Map.Entry<Long, String> e : brokerAddrs.entrySet()) {
            w.name(e.getKey(), quotedKeys).value(e.getValue());
        }
        w.endObject();
        w.field("brokerName", brokerName).field("cluster", cluster).field("enableActingMaster", enableActingMaster)
                .field("zoneName", zoneName).endObject();
    }

    public static BrokerData fromJson(JsonObject o) {
        SortedMap<Long, String> addrs = new TreeMap<>();
        JsonObject a = o.getObject("brokerAddrs");
        if (a != null) {
            for (Map.Entry<Object, Object> e : a.entries()) {
                addrs.put(JsonObject.toLong("brokerAddrs key", e.getKey(), 0),
                        e.getValue() == null ? null : e.getValue().toString());
            }
        }
        return new BrokerData(o.getString("cluster"), o.getString("brokerName"), addrs, o.getString("zoneName"),
                o.getBoolean("enableActingMaster", false));
    }
}
