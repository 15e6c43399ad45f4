package io.raftmq.chaos.check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every checker's verdict on one run ({@link Checkers#checkAll}); {@link #valid()} is true when no checker found a
 * safety violation. Written as {@code results.json}:
 * <pre>
 * {
 *   "valid": true,
 *   "headline": {"acknowledged": 1200, "lost": 0, "duplicates": 3, ...},
 *   "checkers": [ {"name": "lost", "valid": true, "counts": {...}, "examples": [...]}, ... ]
 * }
 * </pre>
 *
 * @param results one per checker, in {@link Checkers}' order
 */
public record CheckReport(List<CheckResult> results) {
    public CheckReport {
        results = List.copyOf(results);
    }

    /** True when no checker found a safety violation. */
    public boolean valid() {
        return results.stream().allMatch(CheckResult::valid);
    }

    /** The result of the checker named {@code name}, or null. */
    public CheckResult get(String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }

    /** Names of the checkers that found a violation, in order. */
    public List<String> violations() {
        return results.stream().filter(r -> !r.valid()).map(CheckResult::name).toList();
    }

    /**
     * The figures a run's summary line shows: acknowledged, lost, duplicates, and the failover times (ms; NaN
     * without a sample) server and client side.
     */
    public Map<String, Object> headline() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (get("lost") instanceof LostChecker.Result l) {
            m.put("acknowledged", l.acknowledged());
            m.put("lost", l.lost());
        }
        if (get("duplicates") instanceof DuplicateChecker.Result d) {
            m.put("duplicates", d.duplicates());
        }
        if (get("failover") instanceof FailoverChecker.Result f) {
            m.put("failover_server_p50_ms", f.serverP50Ms());
            m.put("failover_server_max_ms", f.serverMaxMs());
            m.put("failover_client_p50_ms", f.clientP50Ms());
            m.put("failover_client_max_ms", f.clientMaxMs());
        }
        return m;
    }

    /** The report as JSON text (NaN figures are written as null). */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("valid", valid());
        root.put("violations", violations());
        root.put("headline", headline());
        List<Object> checkers = new ArrayList<>();
        for (CheckResult r : results) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", r.name());
            c.put("valid", r.valid());
            c.put("counts", r.counts());
            c.put("examples", r.examples());
            checkers.add(c);
        }
        root.put("checkers", checkers);
        return Json.write(root);
    }

    /** Writes {@link #toJson()} to {@code file} (created or replaced). */
    public void writeJson(Path file) throws IOException {
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    /** One line per checker ({@link CheckResult#summary()}). */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(valid() ? "VALID" : "VIOLATIONS " + violations());
        for (CheckResult r : results) {
            b.append('\n').append(r.summary());
        }
        return b.toString();
    }
}
