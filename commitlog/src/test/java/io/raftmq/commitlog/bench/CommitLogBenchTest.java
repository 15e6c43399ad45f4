package io.raftmq.commitlog.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the benchmark tool parses its flags and ends with a well-formed RESULT line (not a performance test: the
 * figures are not checked). Method: a 1-second run in each flush mode on 1 MiB segments, plus bad flags.
 */
class CommitLogBenchTest {
    private static final String RESULT = "RESULT mode=commitlog flush=(sync|async) threads=\\d+ size=\\d+ msg_s=\\d+"
        + " mb_s=\\d+\\.\\d p50_us=\\d+ p99_us=\\d+";

    @TempDir
    Path dir;

    @Test
    void printsResultLine() throws Exception {
        for (String flush : new String[] {"sync", "async"}) {
            CommitLogBench.Options o = CommitLogBench.Options.parse(new String[] {"--size", "100", "--seconds", "1",
                "--flush", flush, "--threads", "2", "--batch", "4", "--dir", dir.toString(), "--segment-mb", "1"});
            Path work = Files.createTempDirectory(dir, "run");
            String line = CommitLogBench.run(o, work);
            assertThat(line).matches(RESULT).contains("flush=" + flush + " threads=2 size=100");
        }
    }

    @Test
    void rejectsBadFlags() {
        assertThatThrownBy(() -> CommitLogBench.Options.parse(new String[] {"--size"}))
            .hasMessageContaining("missing value");
        assertThatThrownBy(() -> CommitLogBench.Options.parse(new String[] {"--nope", "1"}))
            .hasMessageContaining("unknown flag");
        assertThatThrownBy(() -> CommitLogBench.Options.parse(new String[] {"--flush", "manual"}))
            .hasMessageContaining("bad arguments");
    }
}
