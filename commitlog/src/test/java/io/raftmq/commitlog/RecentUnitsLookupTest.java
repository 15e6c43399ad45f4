package io.raftmq.commitlog;

import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the positions and terms the log answers from the index units it remembers in memory (the most recent
 * appends) are exactly those of the index file: after appends of random sizes across segment rolls, after
 * truncations and re-appends of other sizes and terms, and for indices old enough to be read from the file again.
 * Method: a seeded sequence of appends and truncations on a small log; every answer is checked against the positions
 * returned by the appends themselves and, after a reopen (nothing remembered), against the file.
 */
class RecentUnitsLookupTest {
    @TempDir
    Path dir;

    @Test
    void rememberedPositionsAndTermsMatchTheIndexFile() {
        long seed = Seeds.seed("recentUnits.seed");
        SplittableRandom random = new SplittableRandom(seed);
        CommitLogConfig cfg = TestLogs.small(dir, FlushMode.MANUAL).build();
        List<long[]> expected = new ArrayList<>(); // [position, term] of index i + 1
        try (CommitLog log = CommitLog.open(cfg, null)) {
            long term = 1;
            for (int step = 0; step < 6_000; step++) {
                if (random.nextInt(50) == 0 && expected.size() > 10) {
                    int from = expected.size() - random.nextInt(10);
                    log.truncateFrom(from);
                    expected.subList(from - 1, expected.size()).clear();
                    term++;
                }
                long index = expected.size() + 1;
                long p = TestLogs.appendOne(log, term, index, TestLogs.body(index, 1 + random.nextInt(3000)));
                expected.add(new long[] {p, term});
                long probe = 1 + random.nextInt(expected.size());
                assertThat(log.position(probe)).as("position of %d (seed %d)", probe, seed)
                    .isEqualTo(expected.get((int) probe - 1)[0]);
                assertThat(log.term(probe)).as("term of %d (seed %d)", probe, seed)
                    .isEqualTo(expected.get((int) probe - 1)[1]);
            }
            checkAll(log, expected, seed);
        }
        try (CommitLog log = CommitLog.open(cfg, null)) {
            checkAll(log, expected, seed); // nothing remembered: every answer from the file
        }
    }

    private static void checkAll(CommitLog log, List<long[]> expected, long seed) {
        assertThat(log.lastIndex()).isEqualTo(expected.size());
        for (int i = 1; i <= expected.size(); i++) {
            assertThat(log.position(i)).as("position of %d (seed %d)", i, seed).isEqualTo(expected.get(i - 1)[0]);
            assertThat(log.term(i)).as("term of %d (seed %d)", i, seed).isEqualTo(expected.get(i - 1)[1]);
        }
    }
}
