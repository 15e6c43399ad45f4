package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * GET_BROKER_RUNTIME_INFO (28) response body {@code {"table":{...}}} (docs/protocol.md §4.8, vector 22). The table is
 * held in a {@link HashMap} on purpose: the Java broker serialises a HashMap in its iteration order, which is
 * deterministic for String keys, so our bytes match vector 22. Entries are inserted one by one into a default HashMap
 * (a copy constructor would presize the table and change the order).
 */
public record KVTable(Map<String, String> table) implements JsonBody {
    public KVTable {
        Map<String, String> grown = new HashMap<>();
        for (Map.Entry<String, String> e : table.entrySet()) {
            grown.put(e.getKey(), e.getValue());
        }
        table = Collections.unmodifiableMap(grown);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject();
        Bodies.writeStringMap(w, "table", table);
        w.endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static KVTable decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "KVTable", o -> new KVTable(Bodies.stringMap(o.getObject("table"),
                new HashMap<>())));
    }
}
