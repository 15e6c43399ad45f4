package io.raftmq.chaos.run;

import io.raftmq.chaos.check.History;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The report directory of one run:
 * <pre>
 *  DIR/result.txt                      the RESULT line, the scenario, the delivery check, failover per leader fault,
 *                                      harness errors
 *  DIR/history.txt                     every event, one a line: time_ms (from the run's start), process, type, op,
 *                                      value, detail, tab-separated (tabs and newlines inside fields become spaces)
 *  DIR/cluster/naming.log              the NameServer's output
 *  DIR/cluster/nI/nI.log               member nI's output (all its restarts)
 *  DIR/cluster/nI/data/                member nI's store: kept only for a failing run or when asked
 * </pre>
 */
final class RunFiles {
    private RunFiles() {
    }

    static void write(Scenario scenario, History history, RunResult r, boolean keepData) throws IOException {
        Path dir = r.reportDir();
        try (Writer w = Files.newBufferedWriter(dir.resolve("history.txt"), StandardCharsets.UTF_8)) {
            for (History.Event e : history.events()) {
                w.write(String.format(Locale.ROOT, "%.3f\t%s\t%s\t%s\t%s\t%s%n", history.millis(e.nanos()),
                    clean(e.process()), e.type().name().toLowerCase(Locale.ROOT), clean(e.op()), clean(e.value()),
                    clean(e.detail())));
            }
        }
        StringBuilder b = new StringBuilder();
        b.append(r.resultLine()).append('\n');
        b.append("scenario: ").append(scenario).append('\n');
        b.append("delivery: ").append(r.delivery()).append('\n');
        b.append("drained: ").append(r.drained()).append('\n');
        b.append("failover_ms per leader fault: ").append(r.failoverMs()).append('\n');
        r.errors().forEach(e -> b.append("error: ").append(e).append('\n'));
        Files.writeString(dir.resolve("result.txt"), b, StandardCharsets.UTF_8);
        if (!keepData) {
            deleteData(dir.resolve("cluster"));
        }
    }

    private static String clean(String s) {
        return s == null ? "" : s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    /** Deletes every member's data directory ({@code cluster/nI/data}); the logs stay. */
    private static void deleteData(Path cluster) throws IOException {
        if (!Files.isDirectory(cluster)) {
            return;
        }
        List<Path> members;
        try (Stream<Path> s = Files.list(cluster)) {
            members = s.filter(p -> Files.isDirectory(p.resolve("data"))).toList();
        }
        for (Path m : members) {
            try (Stream<Path> all = Files.walk(m.resolve("data"))) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }
}
