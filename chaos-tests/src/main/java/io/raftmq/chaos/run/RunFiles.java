package io.raftmq.chaos.run;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a run's report directory holds besides the checked report ({@code io.raftmq.chaos.report.RunReport}: the
 * history as {@code history.jsonl}, {@code results.json}, plots, {@code index.html}):
 * <pre>
 *  DIR/result.txt                      the RESULT line, the scenario, the delivery check, failover per leader fault,
 *                                      harness errors
 *  DIR/cluster/naming.log              the NameServer's output
 *  DIR/cluster/nI/nI.log               member nI's output (all its restarts)
 *  DIR/cluster/nI/data/                member nI's store: kept only for a failing run or when asked
 *  DIR/cluster/chaos-b/nI/...          the same for each further broker group of the scenario
 * </pre>
 */
final class RunFiles {
    private RunFiles() {
    }

    static void write(Scenario scenario, RunResult r, boolean keepData) throws IOException {
        Path dir = r.reportDir();
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

    /**
     * Deletes every member's data directory ({@code cluster/nI/data}, and {@code cluster/GROUP/nI/data} of further
     * groups); the logs stay.
     */
    private static void deleteData(Path cluster) throws IOException {
        if (!Files.isDirectory(cluster)) {
            return;
        }
        List<Path> members;
        List<Path> groups;
        try (Stream<Path> s = Files.list(cluster)) {
            List<Path> dirs = s.filter(Files::isDirectory).toList();
            members = dirs.stream().filter(p -> Files.isDirectory(p.resolve("data"))).toList();
            groups = dirs.stream().filter(p -> p.getFileName().toString().startsWith("chaos-")).toList();
        }
        for (Path g : groups) {
            deleteData(g);
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
