package io.raftmq.broker.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4 (test scope): {@code # HELP} and {@code # TYPE}
 * lines, samples {@code name{label="value",...} value [timestamp]}, with label values unescaped. It fails with
 * {@link IllegalArgumentException} on any line it does not understand (other comments are ignored, as the format
 * says), on a TYPE or HELP given twice or after the family's samples, on a sample whose name does not belong to its
 * declared family (a counter's TYPE names its samples, or their stem before {@code _total}; a histogram's samples are
 * {@code _bucket} with {@code le}, {@code _sum}, {@code _count}), on a family whose samples are not together, and on
 * a histogram whose buckets are not cumulative or whose {@code +Inf} bucket differs from its count.
 */
final class Exposition {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) (" + NAME.pattern() + ") ?(.*)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample: metric name, labels (sorted), value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private final Map<String, String> types = new HashMap<>();
    private final Map<String, String> helps = new HashMap<>();
    private final List<Sample> samples = new ArrayList<>();

    private Exposition() {
    }

    /** Parses a whole scrape; throws on the first malformed line (with its number). */
    static Exposition parse(String text) {
        Exposition e = new Exposition();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a newline");
        }
        String[] lines = text.split("\n", -1);
        Set<String> finished = new java.util.HashSet<>();
        String current = null;
        for (int i = 0; i < lines.length - 1; i++) {
            try {
                current = e.line(lines[i], current, finished);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + ex.getMessage() + ": " + lines[i], ex);
            }
        }
        e.checkHistograms();
        return e;
    }

    /** Handles one line; returns the family now being read. */
    private String line(String line, String current, Set<String> finished) {
        if (line.isEmpty()) {
            throw new IllegalArgumentException("empty line");
        }
        if (line.startsWith("#") && !line.startsWith("# HELP ") && !line.startsWith("# TYPE ")) {
            return current; // a plain comment (the format ignores it)
        }
        if (line.startsWith("#")) {
            Matcher m = COMMENT.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a HELP or TYPE line");
            }
            String family = m.group(2);
            if (finished.contains(family) || family.equals(current) && samplesOf(family) > 0) {
                throw new IllegalArgumentException("HELP/TYPE after the family's samples");
            }
            Map<String, String> target = m.group(1).equals("HELP") ? helps : types;
            if (target.put(family, m.group(3)) != null) {
                throw new IllegalArgumentException(m.group(1) + " given twice for " + family);
            }
            if (m.group(1).equals("TYPE") && !TYPES.contains(m.group(3))) {
                throw new IllegalArgumentException("unknown type " + m.group(3));
            }
            return switchFamily(current, family, finished);
        }
        Sample s = sample(line);
        String family = familyOf(s.name());
        samples.add(s);
        return switchFamily(current, family, finished);
    }

    private String switchFamily(String current, String next, Set<String> finished) {
        if (current != null && !current.equals(next)) {
            finished.add(current);
        }
        if (finished.contains(next)) {
            throw new IllegalArgumentException("samples of " + next + " are not together");
        }
        return next;
    }

    private long samplesOf(String family) {
        return samples.stream().filter(x -> familyOf(x.name()).equals(family)).count();
    }

    /** The declared family a sample name belongs to; throws when it fits none. */
    private String familyOf(String name) {
        String type = types.get(name);
        if (type != null && !type.equals("histogram") && !type.equals("summary")) {
            return name; // 0.0.4 names a counter's samples in its TYPE line (with _total)
        }
        for (String suffix : new String[] {"_total", "_created", "_bucket", "_sum", "_count"}) {
            if (name.endsWith(suffix)) {
                String f = name.substring(0, name.length() - suffix.length());
                String t = types.get(f);
                boolean ok = "counter".equals(t) && (suffix.equals("_total") || suffix.equals("_created"))
                    || "histogram".equals(t) && !suffix.equals("_total")
                    || "summary".equals(t) && !suffix.equals("_total") && !suffix.equals("_bucket");
                if (ok) {
                    return f;
                }
            }
        }
        if (type == null) {
            throw new IllegalArgumentException("sample " + name + " has no TYPE");
        }
        throw new IllegalArgumentException("sample " + name + " does not fit its " + type + " family");
    }

    private static Sample sample(String line) {
        Matcher m = NAME.matcher(line);
        if (!m.lookingAt()) {
            throw new IllegalArgumentException("no metric name");
        }
        String name = m.group();
        int i = m.end();
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels);
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException("no space before the value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length > 2) {
            throw new IllegalArgumentException("more than value and timestamp");
        }
        if (rest.length == 2) {
            Long.parseLong(rest[1]); // a timestamp is an integer (ms)
        }
        return new Sample(name, labels, value(rest[0]));
    }

    /** Parses {@code name="value",...}} from {@code i}; returns the index after the closing brace. */
    private static int labels(String line, int i, Map<String, String> out) {
        while (true) {
            if (i < line.length() && line.charAt(i) == '}') {
                return i + 1;
            }
            Matcher m = LABEL_NAME.matcher(line).region(i, line.length());
            if (!m.lookingAt() || m.end() + 1 >= line.length() || line.charAt(m.end()) != '='
                || line.charAt(m.end() + 1) != '"') {
                throw new IllegalArgumentException("bad label at column " + i);
            }
            StringBuilder v = new StringBuilder();
            int j = m.end() + 2;
            for (; j < line.length() && line.charAt(j) != '"'; j++) {
                char c = line.charAt(j);
                if (c == '\\') {
                    char n = line.charAt(++j);
                    v.append(n == 'n' ? '\n' : n == '\\' ? '\\' : n == '"' ? '"' : fail("bad escape \\" + n));
                } else {
                    v.append(c);
                }
            }
            if (j >= line.length()) {
                throw new IllegalArgumentException("unterminated label value");
            }
            if (out.put(m.group(), v.toString()) != null) {
                throw new IllegalArgumentException("label " + m.group() + " twice");
            }
            i = j + 1;
            if (i < line.length() && line.charAt(i) == ',') {
                i++;
            } else if (i >= line.length() || line.charAt(i) != '}') {
                throw new IllegalArgumentException("expected ',' or '}' at column " + i);
            }
        }
    }

    private static char fail(String why) {
        throw new IllegalArgumentException(why);
    }

    private static double value(String s) {
        switch (s) {
            case "+Inf": return Double.POSITIVE_INFINITY;
            case "-Inf": return Double.NEGATIVE_INFINITY;
            case "NaN": return Double.NaN;
            default:
                if (!s.matches("[-+]?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?")) {
                    throw new IllegalArgumentException("bad value '" + s + "'");
                }
                return Double.parseDouble(s);
        }
    }

    /** Buckets cumulative, ordered by le, ending in +Inf equal to _count, for each label set of each histogram. */
    private void checkHistograms() {
        for (Map.Entry<String, String> t : types.entrySet()) {
            if (!t.getValue().equals("histogram")) {
                continue;
            }
            String f = t.getKey();
            Map<Map<String, String>, List<Sample>> series = new LinkedHashMap<>();
            for (Sample s : samples) {
                if (s.name().equals(f + "_bucket")) {
                    String le = s.labels().get("le");
                    if (le == null) {
                        throw new IllegalArgumentException(f + "_bucket without le");
                    }
                    Map<String, String> rest = new TreeMap<>(s.labels());
                    rest.remove("le");
                    series.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
                }
            }
            for (Map.Entry<Map<String, String>, List<Sample>> e : series.entrySet()) {
                checkBuckets(f, e.getKey(), e.getValue());
            }
        }
    }

    private void checkBuckets(String family, Map<String, String> labels, List<Sample> buckets) {
        double lastLe = Double.NEGATIVE_INFINITY;
        double lastCount = 0;
        for (Sample b : buckets) {
            double le = value(b.labels().get("le"));
            if (le <= lastLe || b.value() < lastCount) {
                throw new IllegalArgumentException(family + labels + ": buckets not ordered or not cumulative");
            }
            lastLe = le;
            lastCount = b.value();
        }
        if (lastLe != Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException(family + labels + ": no +Inf bucket");
        }
        Double count = find(family + "_count", labels);
        if (count == null || count != lastCount || find(family + "_sum", labels) == null) {
            throw new IllegalArgumentException(family + labels + ": _count/_sum missing or +Inf bucket != _count");
        }
    }

    /** The value of the sample {@code name} with exactly {@code labels}, or null. */
    Double find(String name, Map<String, String> labels) {
        for (Sample s : samples) {
            if (s.name().equals(name) && s.labels().equals(labels)) {
                return s.value();
            }
        }
        return null;
    }

    /** The value of {@code name} with exactly {@code labels} (given as k1, v1, k2, v2...); fails when absent. */
    double value(String name, String... kv) {
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            labels.put(kv[i], kv[i + 1]);
        }
        Double v = find(name, labels);
        if (v == null) {
            throw new AssertionError("no sample " + name + labels);
        }
        return v;
    }

    /** Every sample named {@code name}. */
    List<Sample> all(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The declared type of family {@code name}, or null. */
    String type(String name) {
        return types.get(name);
    }
}
