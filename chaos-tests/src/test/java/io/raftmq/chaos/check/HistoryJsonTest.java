package io.raftmq.chaos.check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the history's JSON-lines form is exactly the documented shape, survives a write and read back unchanged
 * (escapes, times to the microsecond), is written as events are recorded, and a bad file fails naming its line.
 * Method: golden lines for hand-made events, round trips through temp files.
 */
class HistoryJsonTest {
    @TempDir
    Path dir;

    @Test
    void goldenLines() {
        History.Event send = new History.Event("p1", History.Type.OK, "send", "m-17", 1_234_567_890L,
            "queue=broker-a:3 offset=41");
        assertThat(HistoryJson.line(send, 0)).isEqualTo("{\"process\":\"p1\",\"type\":\"ok\",\"op\":\"send\","
            + "\"value\":\"m-17\",\"time_ms\":1234.568,\"detail\":\"queue=broker-a:3 offset=41\"}");
        History.Event odd = new History.Event("nemesis", History.Type.INFO, "kill", "", 5_000L,
            "inject: \"n1\"\\\n\t\u0001");
        assertThat(HistoryJson.line(odd, 1_000_000L)).isEqualTo("{\"process\":\"nemesis\",\"type\":\"info\","
            + "\"op\":\"kill\",\"value\":\"\",\"time_ms\":-0.995,\"detail\":\"inject: \\\"n1\\\"\\\\\\n\\t\\u0001\"}");
        assertThat(HistoryJson.millis(0)).isEqualTo("0.000");
        assertThat(HistoryJson.millis(1_000_000_000_000L)).isEqualTo("1000000.000");
    }

    @Test
    void parsesAnyKeyOrderWhitespaceNullsAndEscapes() {
        History.Event e = HistoryJson.parse(" { \"detail\" : null , \"time_ms\": 2.5e3, \"op\":\"consume\","
            + "\"value\":\"a\\u0041\\/\",\"type\":\"FAIL\",\"process\":\"c\",\"extra\":1}");
        assertThat(e).isEqualTo(new History.Event("c", History.Type.FAIL, "consume", "aA/", 2_500_000_000L, ""));
    }

    @Test
    void writesAndReadsBackEveryEvent() throws IOException {
        History h = History.withTimeZero(1_000L);
        h.append(new History.Event("p", History.Type.INVOKE, "send", "a", 1_000L + 1_500L, ""));
        h.append(new History.Event("p", History.Type.OK, "send", "a", 1_000L + 2_000_000L, "queue=b:0 offset=0"));
        h.append(new History.Event("nemesis", History.Type.INFO, "pause", "n0", 1_000L + 3_000_000L, "inject: ü"));
        Path f = dir.resolve("h.jsonl");
        h.writeTo(f);

        History back = History.read(f);

        assertThat(back.startNanos()).isZero();
        assertThat(back.events()).containsExactly(
            new History.Event("p", History.Type.INVOKE, "send", "a", 2_000L, ""),
            new History.Event("p", History.Type.OK, "send", "a", 2_000_000L, "queue=b:0 offset=0"),
            new History.Event("nemesis", History.Type.INFO, "pause", "n0", 3_000_000L, "inject: ü"));
        assertThat(back.millis(back.events().get(1).nanos())).isEqualTo(2.0);
    }

    @Test
    void aSinkWritesEachEventAsItIsRecorded() throws IOException {
        Path f = dir.resolve("live.jsonl");
        try (History h = History.recordingTo(f)) {
            h.invoke("p", "send", "a");
            assertThat(Files.readAllLines(f, StandardCharsets.UTF_8)).hasSize(1);
            h.ok("p", "send", "a", "queue=b:1 offset=7");
            h.info("nemesis", "kill", "n2", "inject: kill -9");
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            assertThat(lines).hasSize(3);
            assertThat(lines.get(1)).startsWith("{\"process\":\"p\",\"type\":\"ok\",\"op\":\"send\",\"value\":\"a\"");
            assertThat(History.read(f).select(History.Type.OK, "send")).hasSize(1);
        }
    }

    @Test
    void aBadLineIsNamed() throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"process\":\"p\",\"type\":\"ok\",\"op\":\"send\",\"value\":\"a\",\"time_ms\":1,"
            + "\"detail\":\"\"}\n\n{\"process\":\"p\",\"type\":\"done\",\"op\":\"x\",\"time_ms\":1}\n");
        assertThatThrownBy(() -> History.read(f)).hasMessageContaining("bad.jsonl line 3")
            .hasMessageContaining("unknown type \"done\"");
        Files.writeString(f, "{\"process\":\"p\",\"type\":\"ok\" \"op\":\"x\"}\n");
        assertThatThrownBy(() -> History.read(f)).hasMessageContaining("line 1")
            .hasMessageContaining("',' or '}' expected at column 28");
    }
}
