package io.raftmq.tools.bench.commitlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

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
            CommitLogBench.Options o = CommitLogBench.Options.parse("--size", "100", "--seconds", "1",
                "--flush", flush, "--threads", "2", "--batch", "4", "--dir", dir.toString(), "--segment-mb", "1");
            Path work = Files.createTempDirectory(dir, "run");
            String line = CommitLogBench.run(o, work);
            assertThat(line).matches(RESULT).contains("flush=" + flush + " threads=2 size=100");
        }
    }

    @Test
    void rejectsBadFlags() {
        assertThatThrownBy(() -> CommitLogBench.Options.parse("--size"))
            .isInstanceOf(ParameterException.class).hasMessageContaining("Missing required parameter");
        assertThatThrownBy(() -> CommitLogBench.Options.parse("--nope", "1"))
            .isInstanceOf(ParameterException.class).hasMessageContaining("Unknown option");
        assertThatThrownBy(() -> CommitLogBench.Options.parse("--flush", "manual"))
            .isInstanceOf(ParameterException.class).hasMessageContaining("bad arguments");
        assertThatThrownBy(() -> CommitLogBench.Options.parse("--threads", "x"))
            .isInstanceOf(ParameterException.class).hasMessageContaining("--threads");
        assertThat(CommitLogBench.Options.parse("--flush", "ASYNC", "--sync-append", "locked").lockedSync()).isTrue();
    }
}
