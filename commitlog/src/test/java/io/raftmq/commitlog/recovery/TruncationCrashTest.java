package io.raftmq.commitlog.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.TestLogs;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.io.CrashPointStorage;
import io.raftmq.commitlog.io.FaultyMemoryStorage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Goal: a process that dies at any point of a truncation ({@code CommitLog.truncateFrom}: the checkpoint lowered to
 * the truncation point first, then the removed bytes zeroed from the end back, later segments and index units
 * deleted, forces, the final checkpoint) recovers to a clean log no longer than before: no loss reported (no "forced
 * records lost", no damage inside the log) even by a verifying open, every record below the truncation point intact,
 * and the log ending at a valid record between the truncation point and the old end.
 *
 * <p>Method: a 60-record log over three 64 KiB segments, everything forced, plus a tail of 4 records written only
 * (the roll into a fourth segment forces the third);
 * the truncation's mutating steps (writes, forces, file replacements, deletions) are counted once, then for every
 * k the same log is built again and the process killed after k steps of the truncation ({@link CrashPointStorage}).
 * Each crash point is recovered three ways: as a process kill (every write kept), as a power loss (only forced bytes
 * kept) and as a power loss with a torn unforced range (a random prefix kept, seeded: the seed is printed).
 * Truncation points: inside the first segment (later segments deleted), at a segment's first record, and inside the
 * last segment.
 */
class TruncationCrashTest {
    private static final int FORCED = CrashLogFixture.FORCED;
    private static final int UNFORCED = CrashLogFixture.UNFORCED;
    private static final int SIZE = CrashLogFixture.SIZE;
    private static final Path DIR = Path.of("/mem/truncation");
    private static final long SEED = Long.getLong("truncation.seed", 20261206L);

    /** Last record of the test's log that survives a power loss without any truncation (a segment roll forces). */
    private static final long DURABLE_LAST = durableLast();

    private static long durableLast() {
        FaultyMemoryStorage disk = new FaultyMemoryStorage();
        build(new CrashPointStorage(disk)).closeAbruptly();
        disk.crash(new Random(0), false);
        try (CommitLog log = CommitLog.open(cfg(), null, disk)) {
            return log.lastIndex();
        }
    }

    private static CommitLogConfig cfg() {
        return CrashLogFixture.cfg(DIR);
    }

    private static CommitLog build(CrashPointStorage storage) {
        return CrashLogFixture.build(storage, DIR);
    }

    /** Mutating steps of {@code truncateFrom(from)} on the test's log, run to the end. */
    private static List<String> stepsOf(long from) {
        CrashPointStorage storage = new CrashPointStorage(new FaultyMemoryStorage());
        CommitLog log = build(storage);
        storage.clearSteps();
        log.truncateFrom(from);
        List<String> steps = storage.steps();
        log.closeAbruptly();
        return steps;
    }

    @Test
    void aKillAtAnyStepOfATruncationRecoversToACleanShorterLog() {
        System.out.println("TruncationCrashTest seed=" + SEED + " (-Dtruncation.seed=...)");
        Random rnd = new Random(SEED);
        long secondSegmentFirst = firstIndexOfSecondSegment();
        int points = 0;
        for (long from : new long[] {10, secondSegmentFirst, FORCED - 3}) {
            List<String> steps = stepsOf(from);
            assertThat(stepsOf(from)).as("the truncation is deterministic").isEqualTo(steps);
            assertThat(steps).as("zeroing, deletions, forces and checkpoints").hasSizeGreaterThan(3);
            for (int k = 0; k < steps.size(); k++) {
                for (Crash crash : Crash.values()) {
                    killAndRecover(from, k, crash, rnd.nextLong(), steps);
                    points++;
                }
            }
        }
        System.out.println("TruncationCrashTest: " + points + " crash points recovered");
    }

    @Test
    void aFinishedTruncationLeavesNoCommitPointBehind() {
        FaultyMemoryStorage disk = new FaultyMemoryStorage();
        CommitLog log = build(new CrashPointStorage(disk));
        log.truncateFrom(10);
        for (long i = 10; i <= 40; i++) {
            TestLogs.appendOne(log, 2, i, TestLogs.body(i, SIZE));
        }
        log.flush();
        log.closeAbruptly();
        disk.crash(new Random(SEED), false);
        Checkpoint cp = Checkpoint.decode(disk.readAll(DIR.resolve("checkpoint")));
        assertThat(cp.truncating()).as("the truncation's commit point was replaced").isFalse();
        List<RecoveryLoss> told = new ArrayList<>();
        try (CommitLog reopened = CommitLog.open(cfg(), null, disk, new RecoveryPolicy(true, told::add))) {
            assertThat(told).isEmpty();
            assertThat(reopened.lastIndex()).as("records appended and forced after the truncation stay").isEqualTo(40);
        }
    }

    private static long firstIndexOfSecondSegment() {
        CrashPointStorage storage = new CrashPointStorage(new FaultyMemoryStorage());
        CommitLog log = build(storage);
        try {
            for (long i = 1; i <= FORCED; i++) {
                if (log.position(i) >= cfg().segmentBytes()) {
                    return i;
                }
            }
            throw new AssertionError("the log does not reach a second segment");
        } finally {
            log.closeAbruptly();
        }
    }

    private enum Crash { KILL, POWER_LOSS, TORN_POWER_LOSS }

    private static void killAndRecover(long from, int k, Crash crash, long seed, List<String> steps) {
        String where = "truncateFrom(" + from + ") killed after " + k + " of " + steps + ", " + crash + ", seed "
            + seed;
        FaultyMemoryStorage disk = new FaultyMemoryStorage();
        CrashPointStorage storage = new CrashPointStorage(disk);
        CommitLog dying = build(storage);
        storage.killAfter(k);
        assertThatThrownBy(() -> dying.truncateFrom(from)).as(where).isInstanceOf(RuntimeException.class);
        dying.closeAbruptly();
        if (crash != Crash.KILL) {
            disk.crash(new Random(seed), crash == Crash.TORN_POWER_LOSS);
        }
        List<RecoveryLoss> told = new ArrayList<>();
        try (CommitLog log = CommitLog.open(cfg(), null, disk, new RecoveryPolicy(true, told::add))) {
            assertThat(told).as(where).isEmpty();
            assertThat(log.recoveryLoss()).as(where).isNull();
            long last = log.lastIndex();
            assertThat(last).as(where).isBetween(from - 1, (long) FORCED + UNFORCED);
            if (crash == Crash.POWER_LOSS) {
                assertThat(last).as("a power loss keeps no more than was forced: %s", where)
                    .isLessThanOrEqualTo(DURABLE_LAST);
            }
            CrashLogFixture.assertRecords(log, last, where);
            TestLogs.appendOne(log, 2, last + 1, TestLogs.body(-1, 100));
            log.flush();
        }
        try (CommitLog log = CommitLog.open(cfg(), null, disk, new RecoveryPolicy(true, told::add))) {
            assertThat(told).as("reopened after an append: %s", where).isEmpty();
        }
    }
}
