package io.raftmq.chaos.report;

import io.raftmq.chaos.check.CheckReport;
import io.raftmq.chaos.check.CheckResult;
import io.raftmq.chaos.check.Faults;
import io.raftmq.chaos.check.History;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes the report directory of one chaos run (docs/chaos.md, "Report"):
 * <pre>
 *   DIR/history.jsonl   the history (left as is when the run recorded it there already)
 *   DIR/results.json    every checker's verdict ({@link CheckReport#toJson()})
 *   DIR/logs/...        copies of the node logs the runner names
 *   DIR/rates.png       client completions per second (ok / fail / info), fault windows shaded
 *   DIR/latency.png     latency of each completed client operation, fault windows shaded
 *   DIR/roles.png       one lane per member: its observed role over time
 *   DIR/index.html      checker summary table on top, then the charts, fault list and links
 * </pre>
 *
 * <p>Stateless; one call writes one directory.
 */
public final class RunReport {
    /** The file names written, relative to the run directory. */
    public static final String HISTORY = "history.jsonl";
    public static final String RESULTS = "results.json";
    public static final String INDEX = "index.html";
    public static final String LOGS = "logs";

    private RunReport() {
    }

    /**
     * Writes the report of a run into {@code dir} (created if missing) and returns the path of its
     * {@code index.html}. A node log that does not exist is listed as missing, not copied; other I/O errors
     * propagate.
     *
     * @param title    heading of the page (scenario, seed, ...)
     * @param nodeLogs node log files to copy into {@code logs/} (a name used twice gets a numeric prefix)
     */
    public static Path write(Path dir, String title, History h, CheckReport report, List<Path> nodeLogs)
        throws IOException {
        Files.createDirectories(dir);
        if (!Files.exists(dir.resolve(HISTORY))) {
            h.writeTo(dir.resolve(HISTORY));
        }
        report.writeJson(dir.resolve(RESULTS));
        List<String> logs = copyLogs(dir.resolve(LOGS), nodeLogs);
        Timeline t = Timeline.of(h);
        List<Faults.Window> faults = Faults.of(h);
        Charts.rates(dir.resolve(Charts.RATES), h, t, faults);
        Charts.latency(dir.resolve(Charts.LATENCY), h, t, faults);
        Charts.roles(dir.resolve(Charts.ROLES), t);
        Path index = dir.resolve(INDEX);
        Files.writeString(index, html(title, h, report, faults, logs), StandardCharsets.UTF_8);
        return index;
    }

    private static List<String> copyLogs(Path logsDir, List<Path> nodeLogs) throws IOException {
        List<String> out = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (int i = 0; i < nodeLogs.size(); i++) {
            Path src = nodeLogs.get(i);
            if (!Files.isRegularFile(src)) {
                out.add("missing: " + src.getFileName());
                continue;
            }
            Files.createDirectories(logsDir);
            String name = src.getFileName().toString();
            name = used.add(name) ? name : i + "-" + name;
            used.add(name);
            Files.copy(src, logsDir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            out.add(LOGS + "/" + name);
        }
        return out;
    }

    static String html(String title, History h, CheckReport report, List<Faults.Window> faults, List<String> logs) {
        StringBuilder b = new StringBuilder(8192);
        b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(esc(title))
            .append("</title>\n<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}"
                + ".ok{color:#2e7d32;font-weight:bold}.bad{color:#c62828;font-weight:bold}"
                + "ul.ex{margin:0;padding-left:1.2em;font-family:monospace;font-size:90%}</style></head><body>\n");
        String verdict = report.valid() ? "<span class=\"ok\">VALID</span>"
            : "<span class=\"bad\">VIOLATIONS " + esc(report.violations().toString()) + "</span>";
        b.append("<h1>").append(esc(title)).append("</h1>\n<p>Verdict: ").append(verdict).append(" &middot; ")
            .append(h.events().size()).append(" events &middot; <a href=\"").append(HISTORY).append("\">")
            .append(HISTORY).append("</a> &middot; <a href=\"").append(RESULTS).append("\">").append(RESULTS)
            .append("</a></p>\n");
        table(b, report);
        for (String png : List.of(Charts.RATES, Charts.LATENCY, Charts.ROLES)) {
            b.append("<p><img src=\"").append(png).append("\" alt=\"").append(png).append("\" width=\"")
                .append(Charts.WIDTH).append("\"></p>\n");
        }
        b.append("<h2>Faults</h2>\n<table><tr><th>nemesis</th><th>targets</th><th>from (s)</th><th>to (s)</th>"
            + "<th>detail</th></tr>\n");
        for (Faults.Window w : faults) {
            String to = w.healed() ? seconds(h, w.endNanos()) : "not healed";
            b.append("<tr><td>").append(esc(w.nemesis())).append("</td><td>")
                .append(esc(String.join(",", w.targets()))).append("</td><td>").append(seconds(h, w.startNanos()))
                .append("</td><td>").append(to).append("</td><td>").append(esc(w.detail())).append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Node logs</h2>\n<ul>\n");
        for (String l : logs) {
            b.append(l.startsWith(LOGS + "/") ? "<li><a href=\"" + esc(l) + "\">" + esc(l) + "</a></li>\n"
                : "<li>" + esc(l) + "</li>\n");
        }
        return b.append("</ul>\n</body></html>\n").toString();
    }

    private static void table(StringBuilder b, CheckReport report) {
        b.append("<table><tr><th>checker</th><th>verdict</th><th>counts</th><th>examples</th></tr>\n");
        for (CheckResult r : report.results()) {
            b.append("<tr><td>").append(esc(r.name())).append("</td><td>").append(r.valid()
                ? "<span class=\"ok\">ok</span>" : "<span class=\"bad\">VIOLATION</span>").append("</td><td>");
            for (Map.Entry<String, Object> c : r.counts().entrySet()) {
                b.append(esc(c.getKey())).append('=').append(esc(String.valueOf(c.getValue()))).append("<br>");
            }
            b.append("</td><td><ul class=\"ex\">");
            for (String e : r.examples()) {
                b.append("<li>").append(esc(e)).append("</li>");
            }
            b.append("</ul></td></tr>\n");
        }
        b.append("</table>\n");
    }

    private static String seconds(History h, long nanos) {
        return String.format(Locale.ROOT, "%.3f", Timeline.seconds(h, nanos));
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
