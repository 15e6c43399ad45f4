package io.raftmq.broker.filter;

import java.util.Arrays;

/**
 * Reads one message's properties in place, as the stored message carries them (docs/protocol.md §3.1):
 * {@code name 0x01 value 0x02 name 0x01 value 0x02 ...}. {@link #find} locates a property's value as a region of
 * that string without building a map or copying it (the first lookup indexes the entries' positions in a reused
 * array); the comparisons of {@link SqlNode} work on the region. When a name
 * occurs twice the last occurrence wins, as it would in a map built in order.
 *
 * <p>Not thread-safe: one instance per evaluating thread, {@link #reset} per message.
 */
public final class PropertyView {
    static final char NAME_VALUE_SEPARATOR = '\u0001';
    static final char PROPERTY_SEPARATOR = '\u0002';

    private String properties = "";
    private int valueStart;
    private int valueEnd;
    /** Entries indexed since the last reset (-1: not indexed yet), three ints each in {@link #bounds}. */
    private int entries = -1;
    private int[] bounds = new int[3 * 16];
    /** Two number slots (a comparison's left and right side): the value, and whether it is integral. */
    private final long[] longs = new long[2];
    private final double[] doubles = new double[2];
    private final boolean[] integral = new boolean[2];

    /** Points the view at one message's properties string (null or empty: no properties). */
    public PropertyView reset(String properties) {
        this.properties = properties == null ? "" : properties;
        this.entries = -1;
        return this;
    }

    /**
     * Finds {@code name}: true when present, and then {@link #valueStart()}/{@link #valueEnd()} bound its value in
     * {@link #source()}. The first lookup after a reset indexes the entries (one pass over the string); lookups then
     * compare names against the index, newest entry first.
     */
    boolean find(String name) {
        if (entries < 0) {
            index();
        }
        int n = name.length();
        for (int e = entries - 1; e >= 0; e--) {
            int from = bounds[3 * e];
            int sep = bounds[3 * e + 1];
            if (sep - from == n && properties.startsWith(name, from)) {
                valueStart = sep + 1;
                valueEnd = bounds[3 * e + 2];
                return true;
            }
        }
        return false;
    }

    /** Records each entry's name start, separator and value end (the index grows, once, for many properties). */
    private void index() {
        String s = properties;
        int count = 0;
        int from = 0;
        while (from < s.length()) {
            int sep = s.indexOf(NAME_VALUE_SEPARATOR, from);
            if (sep < 0) {
                break;
            }
            int end = s.indexOf(PROPERTY_SEPARATOR, sep + 1);
            if (end < 0) {
                end = s.length();
            }
            if (3 * count + 3 > bounds.length) {
                bounds = Arrays.copyOf(bounds, bounds.length * 2);
            }
            bounds[3 * count] = from;
            bounds[3 * count + 1] = sep;
            bounds[3 * count + 2] = end;
            count++;
            from = end + 1;
        }
        entries = count;
    }

    String source() {
        return properties;
    }

    int valueStart() {
        return valueStart;
    }

    int valueEnd() {
        return valueEnd;
    }

    /** The value found last, as a new string (tests and error messages only: evaluation compares in place). */
    String value() {
        return properties.substring(valueStart, valueEnd);
    }

    void setLong(int slot, long value) {
        longs[slot] = value;
        integral[slot] = true;
    }

    void setDouble(int slot, double value) {
        doubles[slot] = value;
        integral[slot] = false;
    }

    /**
     * Parses the value found last as a number into {@code slot}: an optional sign and digits as a long (no
     * allocation), anything else made of digits, '.', 'e', 'E' and signs as a double; false when it is not a number.
     */
    boolean parseNumber(int slot) {
        String s = properties;
        int i = valueStart;
        int end = valueEnd;
        if (i == end) {
            return false;
        }
        boolean negative = s.charAt(i) == '-';
        if (negative || s.charAt(i) == '+') {
            i++;
        }
        long acc = 0;
        int digits = 0;
        for (; i < end; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9' || digits == 18) {
                return parseDecimal(slot);
            }
            acc = acc * 10 + (c - '0');
            digits++;
        }
        if (digits == 0) {
            return false;
        }
        setLong(slot, negative ? -acc : acc);
        return true;
    }

    private boolean parseDecimal(int slot) {
        for (int i = valueStart; i < valueEnd; i++) {
            char c = properties.charAt(i);
            if ((c < '0' || c > '9') && c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+') {
                return false;
            }
        }
        try {
            setDouble(slot, Double.parseDouble(value()));
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Compares number slots 0 and 1 (as longs when both are integral): negative, zero or positive. */
    int compareSlots() {
        if (integral[0] && integral[1]) {
            return Long.compare(longs[0], longs[1]);
        }
        return Double.compare(integral[0] ? longs[0] : doubles[0], integral[1] ? longs[1] : doubles[1]);
    }

    /** Whether the value found last equals {@code text} exactly. */
    boolean valueEquals(String text) {
        return valueEnd - valueStart == text.length() && properties.startsWith(text, valueStart);
    }

    /** Whether the value found last equals {@code text} ignoring case. */
    boolean valueEqualsIgnoreCase(String text) {
        return valueEnd - valueStart == text.length()
            && properties.regionMatches(true, valueStart, text, 0, text.length());
    }
}
