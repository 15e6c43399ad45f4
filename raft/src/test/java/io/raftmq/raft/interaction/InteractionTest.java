package io.raftmq.raft.interaction;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: pin the core's observable behaviour in scripted scenarios (election, pre-vote, check-quorum, leadership
 * transfer, conflict resolution). Method: each file under {@code src/test/resources/interaction} is a sequence of
 * blocks "command / ---- / expected output / blank line" (etcd datadriven style); the test replays the commands
 * on a fresh {@link InteractionEnv} and compares the transcript verbatim. {@code -Drewrite=true} rewrites the
 * expected outputs from the actual ones (review the diff before committing).
 */
class InteractionTest {
    private static final Path DIR = Path.of("src/test/resources/interaction");
    private static final String SEPARATOR = "----";

    @TestFactory
    Stream<DynamicTest> scripts() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(DIR)) {
            s.filter(p -> p.toString().endsWith(".txt")).sorted().forEach(files::add);
        }
        assertThat(files).isNotEmpty();
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> runScript(f)));
    }

    private static void runScript(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        InteractionEnv env = new InteractionEnv();
        StringBuilder rewritten = new StringBuilder();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                rewritten.append(line).append('\n');
                i++;
                continue;
            }
            String command = line;
            i++;
            assertThat(i < lines.size() && lines.get(i).equals(SEPARATOR))
                .as("%s: '----' expected after command '%s'", file, command).isTrue();
            i++;
            StringBuilder expected = new StringBuilder();
            while (i < lines.size() && !lines.get(i).isEmpty()) {
                expected.append(lines.get(i)).append('\n');
                i++;
            }
            String actual = env.run(command);
            rewritten.append(command).append('\n').append(SEPARATOR).append('\n').append(actual);
            if (!Boolean.getBoolean("rewrite")) {
                assertThat(actual).as("%s: output of '%s'", file.getFileName(), command)
                    .isEqualTo(expected.toString());
            }
        }
        if (Boolean.getBoolean("rewrite")) {
            Files.writeString(file, rewritten.toString(), StandardCharsets.UTF_8);
        }
    }
}
