package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonParseException;
import io.raftmq.client.protocol.json.JsonReader;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Shared helpers of the JSON body classes: parsing with a uniform error (a malformed body is answered with
 * SYSTEM_ERROR by the server, see {@link RemotingCommandException}) and writing common shapes.
 */
final class Bodies {
    private Bodies() {
    }

    /** Converts a parsed object into a body. May throw {@link JsonParseException} for schema errors. */
    interface Parser<T> {
        T parse(JsonObject o);
    }

    /**
     * Parses {@code body} as {@code what}.
     * @throws RemotingCommandException if the body is null/empty, not JSON, or of the wrong shape
     */
    static <T> T decode(byte[] body, String what, Parser<T> parser) throws RemotingCommandException {
        if (body == null || body.length == 0) {
            throw new RemotingCommandException("missing " + what + " body");
        }
        try {
            return parser.parse(JsonReader.parseObject(body));
        } catch (JsonParseException | ClassCastException | IllegalArgumentException e) {
            throw new RemotingCommandException("malformed " + what + " body: " + e.getMessage());
        }
    }

    static List<String> strings(List<Object> raw) {
        List<String> out = new ArrayList<>(raw.size());
        for (Object o : raw) {
            out.add(o == null ? null : o.toString());
        }
        return out;
    }

    static <T> List<T> objects(List<Object> raw, String what, Parser<T> parser) {
        List<T> out = new ArrayList<>(raw.size());
        for (Object o : raw) {
            out.add(parser.parse(JsonObject.toObject(what, o)));
        }
        return out;
    }

    static void writeStrings(JsonWriter w, String name, Collection<String> values) {
        if (values == null) {
            return;
        }
        w.name(name).beginArray();
        for (String s : values) {
            w.value(s);
        }
        w.endArray();
    }

    static void writeStringMap(JsonWriter w, String name, Map<String, String> map) {
        if (map == null) {
            return;
        }
        w.name(name).beginObject();
        for (Map.Entry<String, String> e : map.entrySet()) {
            w.name(e.getKey()).value(e.getValue());
        }
        w.endObject();
    }

    static Map<String, String> stringMap(JsonObject o, Map<String, String> into) {
        if (o != null) {
            for (Map.Entry<Object, Object> e : o.entries()) {
                into.put(e.getKey().toString(), e.getValue() == null ? null : e.getValue().toString());
            }
        }
        return into;
    }
}
