package io.raftmq.client.protocol.json;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the tree of one JSON value for {@link JsonReader#readTree()} (the control plane: bodies): a
 * {@link JsonObject} (whose keys may themselves be objects, docs/protocol.md §4.1), a {@code List<Object>}, a
 * {@code String}, a {@code Long} (a {@code Double} when the number has a fraction or an exponent or does not fit a
 * long), a {@code Boolean} or {@code null}. It walks the reader's cursor API, so nesting limits and fastjson
 * leniency are the reader's.
 */
final class JsonTreeBuilder {
    private JsonTreeBuilder() {
    }

    /** Reads the next value of {@code r} as a tree. */
    static Object read(JsonReader r) {
        JsonReader.Kind k = r.peek();
        switch (k) {
            case OBJECT: return readObject(r);
            case ARRAY: return readArray(r);
            case NUMBER: return toNumber(r, r.nextNumberText());
            case END: throw r.error("unexpected end of input");
            case BOOLEAN: return r.nextBoolean();
            default: return r.nextString();
        }
    }

    private static Object toNumber(JsonReader r, String t) {
        try {
            if (t.indexOf('.') < 0 && t.indexOf('e') < 0 && t.indexOf('E') < 0) {
                return Long.parseLong(t);
            }
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            try {
                return Double.parseDouble(t);
            } catch (NumberFormatException e2) {
                throw r.error("bad number " + t);
            }
        }
    }

    private static JsonObject readObject(JsonReader r) {
        r.beginObject();
        JsonObject o = new JsonObject();
        while (r.hasNext()) {
            Object key;
            if (r.peekObjectName()) {
                key = readObject(r);
                r.nameSeparator();
            } else {
                key = r.nextName();
            }
            o.put(key, read(r));
        }
        r.endObject();
        return o;
    }

    private static List<Object> readArray(JsonReader r) {
        r.beginArray();
        List<Object> list = new ArrayList<>();
        while (r.hasNext()) {
            list.add(read(r));
        }
        r.endArray();
        return list;
    }
}
