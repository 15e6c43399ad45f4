package io.raftmq.chaos.report;

import io.raftmq.chaos.check.CheckInput;
import io.raftmq.chaos.check.CheckReport;
import io.raftmq.chaos.check.Checkers;
import io.raftmq.chaos.check.History;
import io.raftmq.testsupport.Seeds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a run's report directory holds the history, the results, the node logs, three PNG charts and an index page
 * that names them with the checker table on top. Method: a seeded synthetic history (sends, a leader kill with its
 * heal, role observations, one lost message) rendered into a temp dir; no pixel assertions.
 */
class RunReportTest {
    @TempDir
    Path dir;

    @Test
    void writesEveryFileAndTheIndexNamesThem() throws IOException {
        long seed = Seeds.seed("report.seed", 11);
        History h = synthetic(new Random(seed));
        CheckReport report = Checkers.checkAll(h, CheckInput.defaults());
        Path log = Files.writeString(dir.resolve("broker-n1.log"), "INFO started\n");
        Path out = dir.resolve("run");

        Path index = RunReport.write(out, "scenario kill-leader <seed " + seed + ">", h, report,
            List.of(log, dir.resolve("absent.log")));

        assertThat(index).isEqualTo(out.resolve("index.html"));
        for (String f : List.of("history.jsonl", "results.json", "rates.png", "latency.png", "roles.png",
            "logs/broker-n1.log")) {
            assertThat(out.resolve(f)).as(f).isNotEmptyFile();
        }
        byte[] png = Files.readAllBytes(out.resolve("roles.png"));
        assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        String html = Files.readString(index);
        assertThat(html).contains("<img src=\"rates.png\"", "<img src=\"latency.png\"", "<img src=\"roles.png\"",
            "href=\"logs/broker-n1.log\"", "missing: absent.log", "&lt;seed " + seed + "&gt;", "VIOLATIONS [lost]");
        assertThat(html.indexOf("<td>lost</td>")).isLessThan(html.indexOf("<img"));
        assertThat(Files.readString(out.resolve("results.json"))).contains("\"valid\": false",
            "\"violations\": [\n    \"lost\"\n  ]", "\"name\": \"failover\"", "\"failover_server_p50_ms\": ");
        assertThat(History.read(out.resolve("history.jsonl")).events()).hasSize(h.events().size());
    }

    /** 20 s of sends every 50 ms, a leader killed at 5 s and healed at 9 s (new leader at 6.5 s), one send lost. */
    private static History synthetic(Random rnd) {
        History h = History.withTimeZero(0);
        long ms = 1_000_000L;
        add(h, "observer", History.Type.INFO, "role", "n1", 0, "leader term=1");
        add(h, "observer", History.Type.INFO, "role", "n2", 0, "follower term=1");
        add(h, "observer", History.Type.INFO, "role", "n3", 0, "follower term=1");
        for (int i = 0; i < 400; i++) {
            long t = i * 50L * ms;
            if (i == 100) {
                add(h, "nemesis", History.Type.INFO, "kill-leader", "n1", t, "inject: kill -9 n1");
                add(h, "observer", History.Type.INFO, "role", "n1", t, "down term=1");
            }
            if (i == 130) {
                add(h, "observer", History.Type.INFO, "role", "n2", t, "leader term=2");
                add(h, "observer", History.Type.INFO, "role", "n3", t, "follower term=2");
            }
            if (i == 180) {
                add(h, "nemesis", History.Type.INFO, "kill-leader", "n1", t, "heal: restart n1");
                add(h, "observer", History.Type.INFO, "role", "n1", t, "follower term=2");
            }
            String v = "m" + i;
            add(h, "p", History.Type.INVOKE, "send", v, t, "");
            boolean down = i >= 100 && i < 130;
            long done = t + (down ? 900 : 2 + rnd.nextInt(20)) * ms;
            add(h, "p", down ? History.Type.INFO : History.Type.OK, "send", v, done,
                down ? "timeout" : "queue=b:0 offset=" + i);
            if (!down && i != 7) {
                add(h, "c", History.Type.OK, "consume", v, done + ms, "queue=b:0 offset=" + i + " group=g");
            }
        }
        return h;
    }

    private static void add(History h, String p, History.Type type, String op, String v, long nanos, String d) {
        h.append(new History.Event(p, type, op, v, nanos, d));
    }
}
