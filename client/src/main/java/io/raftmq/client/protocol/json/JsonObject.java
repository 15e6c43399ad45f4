package io.raftmq.client.protocol.json;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed JSON object (control plane): keys in document order, {@code String} for ordinary keys and
 * {@link JsonObject} for object keys (fastjson's {@code Map<MessageQueue,X>}). The typed getters are lenient like
 * fastjson: numbers may come as strings and vice versa; a missing key yields the caller's default.
 * A value of the wrong shape raises {@link JsonParseException} (position -1: it is a schema error).
 */
public final class JsonObject {
    private final Map<Object, Object> fields = new LinkedHashMap<>();

    void put(Object key, Object value) {
        fields.put(key, value);
    }

    /** All entries in document order (keys are String or JsonObject). */
    public Set<Map.Entry<Object, Object>> entries() {
        return Collections.unmodifiableMap(fields).entrySet();
    }

    /** The raw value or null. */
    public Object get(String key) {
        return fields.get(key);
    }

    public boolean has(String key) {
        return fields.get(key) != null;
    }

    public int size() {
        return fields.size();
    }

    /** A string (numbers/booleans as their text), or null when absent. */
    public String getString(String key) {
        Object v = fields.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof JsonObject || v instanceof List) {
            throw schema(key, "a string");
        }
        return v.toString();
    }

    public long getLong(String key, long dflt) {
        return toLong(key, fields.get(key), dflt);
    }

    public int getInt(String key, int dflt) {
        long v = getLong(key, dflt);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw schema(key, "an int");
        }
        return (int) v;
    }

    public double getDouble(String key, double dflt) {
        Object v = fields.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            throw schema(key, "a number");
        }
    }

    public boolean getBoolean(String key, boolean dflt) {
        Object v = fields.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            return Boolean.parseBoolean(s);
        }
        throw schema(key, "a boolean");
    }

    /** A nested object, or null when absent. */
    public JsonObject getObject(String key) {
        Object v = fields.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof JsonObject o) {
            return o;
        }
        throw schema(key, "an object");
    }

    /** A nested array, or an empty list when absent. */
    @SuppressWarnings("unchecked")
    public List<Object> getArray(String key) {
        Object v = fields.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List) {
            return (List<Object>) v;
        }
        throw schema(key, "an array");
    }

    /** Converts a scalar tree value to long (lenient), {@code dflt} for null. */
    public static long toLong(String what, Object v, long dflt) {
        if (v == null) {
            return dflt;
        }
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw schema(what, "a long");
            }
        }
        throw schema(what, "a long");
    }

    /**
     * Converts a tree value to a JsonObject; a string holding JSON text is parsed (stringified keys,
     * docs/protocol.md §4.1).
     */
    public static JsonObject toObject(String what, Object v) {
        if (v instanceof JsonObject o) {
            return o;
        }
        if (v instanceof String s) {
            return JsonReader.parseObject(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        throw schema(what, "an object");
    }

    private static JsonParseException schema(String key, String expected) {
        return new JsonParseException("field '" + key + "' is not " + expected, -1);
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
