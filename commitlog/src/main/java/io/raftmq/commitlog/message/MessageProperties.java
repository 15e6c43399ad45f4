package io.raftmq.commitlog.message;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The properties string codec (docs/protocol.md §3.4): {@code name U+0001 value U+0002} repeated, with a trailing
 * U+0002 after every pair. The decoder follows the client's rules: split on U+0002; a segment shorter than 3 chars,
 * without U+0001, or whose first U+0001 is at its start or end is ignored; a missing final separator is
 * tolerated; a repeated key keeps its last value. Values may contain U+0001 (only the first one separates).
 *
 * <p>{@link #get} looks one property up without building a map (the dispatcher's path).
 */
public final class MessageProperties {
    /** Separates a name from its value. */
    public static final char NAME_VALUE_SEPARATOR = '\u0001';
    /** Ends every name/value pair. */
    public static final char PROPERTY_SEPARATOR = '\u0002';
    /** Single tag (filter key); its hash is the ConsumeQueue tagsCode. */
    public static final String TAGS = "TAGS";
    /** Space-separated business keys, each indexed as {@code topic#key}. */
    public static final String KEYS = "KEYS";
    /** Client message id, indexed as {@code topic#uniqKey}. */
    public static final String UNIQ_KEY = "UNIQ_KEY";
    /** Separator of the entries of {@link #KEYS}. */
    public static final char KEY_SEPARATOR = ' ';

    private MessageProperties() {
    }

    /** Encodes entries in the map's iteration order; entries with a null key or value are skipped. */
    public static String encode(Map<String, String> properties) {
        StringBuilder sb = new StringBuilder(properties.size() * 24);
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                continue;
            }
            sb.append(e.getKey()).append(NAME_VALUE_SEPARATOR).append(e.getValue()).append(PROPERTY_SEPARATOR);
        }
        return sb.toString();
    }

    /** Decodes by the client's rules (class javadoc) into an insertion-ordered map; never null. */
    public static Map<String, String> decode(String properties) {
        Map<String, String> map = new LinkedHashMap<>();
        if (properties == null) {
            return map;
        }
        int length = properties.length();
        int index = 0;
        while (index < length) {
            int end = segmentEnd(properties, index, length);
            int separator = nameValueSeparator(properties, index, end);
            if (separator >= 0) {
                map.put(properties.substring(index, separator), properties.substring(separator + 1, end));
            }
            index = end + 1;
        }
        return map;
    }

    /** The value of {@code name} (the last one if repeated), or null; allocates only the returned string. */
    public static String get(String properties, String name) {
        if (properties == null) {
            return null;
        }
        int length = properties.length();
        int nameLength = name.length();
        int index = 0;
        String found = null;
        while (index < length) {
            int end = segmentEnd(properties, index, length);
            int separator = nameValueSeparator(properties, index, end);
            if (separator - index == nameLength && properties.regionMatches(index, name, 0, nameLength)) {
                found = properties.substring(separator + 1, end);
            }
            index = end + 1;
        }
        return found;
    }

    private static int segmentEnd(String s, int from, int length) {
        int end = s.indexOf(PROPERTY_SEPARATOR, from);
        return end < 0 ? length : end;
    }

    /** Position of the segment's name/value separator, or -1 if the segment [from, end) is ignored. */
    private static int nameValueSeparator(String s, int from, int end) {
        if (end - from < 3) {
            return -1;
        }
        int separator = s.indexOf(NAME_VALUE_SEPARATOR, from);
        if (separator <= from || separator >= end - 1) {
            return -1;
        }
        return separator;
    }
}
