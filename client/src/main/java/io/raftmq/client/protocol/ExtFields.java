package io.raftmq.client.protocol;

import io.raftmq.client.Verify;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code extFields} of a remoting header: a small string-to-string map in insertion order, stored in two
 * parallel arrays (typical headers have 1 to 15 entries, so a linear scan beats hashing and allocates nothing).
 * Typed header classes read and write it through the {@code require*}/{@code opt*}/{@code put} helpers, which turn
 * missing or unparsable values into {@link RemotingCommandException} (answered with SYSTEM_ERROR, docs/protocol.md
 * §1.5).
 *
 * <p>Key order on the wire: the ROCKETMQ binary header writes entries in insertion order. The JSON header writes
 * them in the iteration order of a {@code java.util.HashMap} created with {@link #hashCapacity()} (fastjson
 * serialises the real server's HashMap as is); {@link #hashOrder()} reproduces that order so JSON responses are
 * byte-identical to a 5.3.3 broker's (vectors 05, 29-32). Order never matters for parsing.
 *
 * <p>Not thread-safe: a command is built by one thread, then handed over (safe publication via the channel).
 * Invariant: {@code 0 <= size <= keys.length == values.length}, keys are unique and non-null, values non-null.
 */
public final class ExtFields {
    /** Capacity of the HashMap a header's fields are flattened into by the Java server (default HashMap). */
    public static final int CAPACITY_HEADER = 16;
    /** Capacity of the HashMap created by {@code RemotingCommand.addExtField} in the Java server. */
    public static final int CAPACITY_ADD_FIELD = 256;

    private final int hashCapacity;
    private String[] keys;
    private String[] values;
    private int size;

    /** An empty map ordered like a default {@code HashMap} (capacity 16). */
    public ExtFields() {
        this(CAPACITY_HEADER);
    }

    /** An empty map whose JSON order emulates {@code new HashMap<>(hashCapacity)}. */
    public ExtFields(int hashCapacity) {
        Verify.argument(hashCapacity > 0 && hashCapacity <= 1 << 20, "hashCapacity out of range");
        this.hashCapacity = hashCapacity;
        this.keys = new String[8];
        this.values = new String[8];
    }

    /** The HashMap capacity whose iteration order JSON encoding reproduces. */
    public int hashCapacity() {
        return hashCapacity;
    }

    /** Number of entries. */
    public int size() {
        return size;
    }

    /** The key of entry {@code i}, {@code 0 <= i < size()}, in insertion order. */
    public String keyAt(int i) {
        Verify.state(i >= 0 && i < size, "entry index out of range", i, size);
        return keys[i];
    }

    /** The value of entry {@code i}, {@code 0 <= i < size()}, in insertion order. */
    public String valueAt(int i) {
        Verify.state(i >= 0 && i < size, "entry index out of range", i, size);
        return values[i];
    }

    /** The value for {@code key}, or {@code null}. */
    public String get(String key) {
        int i = indexOf(key);
        return i < 0 ? null : values[i];
    }

    /** Whether {@code key} has a value. */
    public boolean contains(String key) {
        return indexOf(key) >= 0;
    }

    /** Sets {@code key} (replacing in place, like HashMap); a {@code null} value is skipped, like RocketMQ does. */
    public ExtFields put(String key, String value) {
        Verify.argument(key != null, "extFields key must not be null");
        if (value == null) {
            return this;
        }
        int i = indexOf(key);
        if (i >= 0) {
            values[i] = value;
            return this;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        keys[size] = key;
        values[size] = value;
        size++;
        return this;
    }

    /** Sets {@code key} to the decimal text of {@code value}. */
    public ExtFields put(String key, long value) {
        return put(key, Long.toString(value));
    }

    /** Sets {@code key} to the decimal text of {@code value}. */
    public ExtFields put(String key, int value) {
        return put(key, Integer.toString(value));
    }

    /** Sets {@code key} to {@code "true"}/{@code "false"}. */
    public ExtFields put(String key, boolean value) {
        return put(key, value ? "true" : "false");
    }

    /** Sets {@code key} to the text of {@code value} unless it is null. */
    public ExtFields putIfNotNull(String key, Object value) {
        return value == null ? this : put(key, value.toString());
    }

    /** Removes {@code key}; returns its value or {@code null}. */
    public String remove(String key) {
        int i = indexOf(key);
        if (i < 0) {
            return null;
        }
        String old = values[i];
        System.arraycopy(keys, i + 1, keys, i, size - i - 1);
        System.arraycopy(values, i + 1, values, i, size - i - 1);
        size--;
        keys[size] = null;
        values[size] = null;
        return old;
    }

    private int indexOf(String key) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    // ----- typed access used by header classes -----

    /** The non-empty value of a required field. @throws RemotingCommandException if it is missing */
    public String requireString(String key) throws RemotingCommandException {
        String v = get(key);
        if (v == null) {
            throw missing(key);
        }
        return v;
    }

    /** A required long field. @throws RemotingCommandException if missing or not a decimal long */
    public long requireLong(String key) throws RemotingCommandException {
        return parseLong(key, requireString(key));
    }

    /** A required int field. @throws RemotingCommandException if missing or not a decimal int */
    public int requireInt(String key) throws RemotingCommandException {
        return parseInt(key, requireString(key));
    }

    /** A required boolean field ({@code "true"} ignoring case is true, anything else false, like Java). */
    public boolean requireBoolean(String key) throws RemotingCommandException {
        return Boolean.parseBoolean(requireString(key));
    }

    /** An optional long field, {@code dflt} when absent. @throws RemotingCommandException if unparsable */
    public long optLong(String key, long dflt) throws RemotingCommandException {
        String v = get(key);
        return v == null ? dflt : parseLong(key, v);
    }

    /** An optional int field, {@code dflt} when absent. @throws RemotingCommandException if unparsable */
    public int optInt(String key, int dflt) throws RemotingCommandException {
        String v = get(key);
        return v == null ? dflt : parseInt(key, v);
    }

    /** An optional boolean field, {@code dflt} when absent. */
    public boolean optBoolean(String key, boolean dflt) {
        String v = get(key);
        return v == null ? dflt : Boolean.parseBoolean(v);
    }

    /** An optional nullable Integer field (control plane: boxes). */
    public Integer optInteger(String key) throws RemotingCommandException {
        String v = get(key);
        return v == null ? null : parseInt(key, v);
    }

    /** An optional nullable Long field (control plane: boxes). */
    public Long optLongObject(String key) throws RemotingCommandException {
        String v = get(key);
        return v == null ? null : parseLong(key, v);
    }

    /** An optional nullable Boolean field. */
    public Boolean optBooleanObject(String key) {
        String v = get(key);
        return v == null ? null : Boolean.valueOf(v);
    }

    private static long parseLong(String key, String v) throws RemotingCommandException {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw invalid(key, v);
        }
    }

    private static int parseInt(String key, String v) throws RemotingCommandException {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw invalid(key, v);
        }
    }

    private static RemotingCommandException missing(String key) {
        return new RemotingCommandException("the custom field <" + key + "> is null");
    }

    private static RemotingCommandException invalid(String key, String v) {
        return new RemotingCommandException("the custom field <" + key + "> has an invalid value: " + v);
    }

    // ----- ordering and conversion -----

    /**
     * Entry indices in the iteration order of a {@code java.util.HashMap} that was created with
     * {@link #hashCapacity()} and received these entries in insertion order: a stable sort by bucket index, with the
     * table grown as HashMap grows it (load factor 0.75). Exact unless 8+ keys share one bucket (treeified bins).
     */
    public int[] hashOrder() {
        int table = Integer.highestOneBit(Math.max(1, hashCapacity - 1)) << 1;
        if (hashCapacity == 1) {
            table = 1;
        }
        while (size > table * 3 / 4) {
            table <<= 1;
        }
        int[] order = new int[size];
        int[] bucket = new int[size];
        for (int i = 0; i < size; i++) {
            int h = keys[i].hashCode();
            bucket[i] = (h ^ (h >>> 16)) & (table - 1);
            order[i] = i;
        }
        for (int i = 1; i < size; i++) {
            int cur = order[i];
            int j = i - 1;
            while (j >= 0 && bucket[order[j]] > bucket[cur]) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = cur;
        }
        return order;
    }

    /** A copy as a {@link LinkedHashMap} in insertion order (control plane, logging, tests). */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            m.put(keys[i], values[i]);
        }
        return m;
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
