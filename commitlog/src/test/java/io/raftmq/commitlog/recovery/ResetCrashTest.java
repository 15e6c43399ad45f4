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
 * Goal: a process that dies, or whose disk fails, at any point of a reset of the whole log
 * ({@code CommitLog.resetTo}, a snapshot install: the checkpoint of the empty log at the new start first, then the
 * old segments and index units deleted, the new segment created, the final checkpoint) opens again, with no loss
 * reported even by a verifying open, as one of two logs: the old one, whole (the reset had not reached its commit
 * point), or the empty log at the new start (index and position as asked), which then takes the next record there.
 * Before the commit point existed, a stop between the deletion and the final checkpoint left a checkpoint covering
 * records no segment held, and the log refused to open (docs/storage.md, "A reset of the whole log").
 *
 * <p>Method: a 60-record log over three 64 KiB segments, forced, plus 4 records written only; the reset's mutating
 * steps are counted once, then for every k the same log is built again and the process killed after k steps
 * ({@link CrashPointStorage}: an I/O error on every later step, as a failed device gives). Each point is recovered
 * as a process kill and as a power loss (forced bytes only; seeded, the seed is printed). Reset targets: beyond the
 * old log's end, and inside the old log's range (a lower index at a position old records hold).
 */
class ResetCrashTest {
    private static final int FORCED = CrashLogFixture.FORCED;
    private static final int UNFORCED = CrashLogFixture.UNFORCED;
    private static final Path DIR = Path.of("/mem/reset");
    private static final long SEED = Long.getLong("reset.seed", 20261207L);

    private static CommitLogConfig cfg() {
        return CrashLogFixture.cfg(DIR);
    }

    private static CommitLog build(CrashPointStorage storage) {
        return CrashLogFixture.build(storage, DIR);
    }

    private static List<String> stepsOf(long nextIndex, long nextPosition) {
        CrashPointStorage storage = new CrashPointStorage(new FaultyMemoryStorage());
        CommitLog log = build(storage);
        storage.clearSteps();
        log.resetTo(nextIndex, nextPosition, 0x5EED);
        List<String> steps = storage.steps();
        log.closeAbruptly();
        return steps;
    }

    @Test
    void aStopAtAnyStepOfAResetOpensTheOldLogOrTheEmptyLogAtTheNewStart() {
        System.out.println("ResetCrashTest seed=" + SEED + " (-Dreset.seed=...)");
        Random rnd = new Random(SEED);
        long seg = cfg().segmentBytes();
        int points = 0;
        for (long[] target : new long[][] {{500, 5 * seg + 4096}, {30, seg + 1000}}) {
            List<String> steps = stepsOf(target[0], target[1]);
            assertThat(steps).as("the reset writes its commit point first").first().asString()
                .contains("checkpoint");
            for (int k = 0; k < steps.size(); k++) {
                for (boolean powerLoss : new boolean[] {false, true}) {
                    stopAndRecover(target[0], target[1], k, powerLoss, rnd.nextLong(), steps);
                    points++;
                }
            }
        }
        System.out.println("ResetCrashTest: " + points + " stop points recovered");
    }

    private static void stopAndRecover(long nextIndex, long nextPosition, int k, boolean powerLoss, long seed,
                                       List<String> steps) {
        String where = "resetTo(" + nextIndex + ", " + nextPosition + ") stopped after " + k + " of " + steps
            + (powerLoss ? ", power loss, seed " + seed : ", kill");
        FaultyMemoryStorage disk = new FaultyMemoryStorage();
        CrashPointStorage storage = new CrashPointStorage(disk);
        CommitLog dying = build(storage);
        storage.killAfter(k);
        assertThatThrownBy(() -> dying.resetTo(nextIndex, nextPosition, 0x5EED)).as(where)
            .isInstanceOf(RuntimeException.class);
        dying.closeAbruptly();
        if (powerLoss) {
            disk.crash(new Random(seed), false);
        }
        List<RecoveryLoss> told = new ArrayList<>();
        try (CommitLog log = CommitLog.open(cfg(), null, disk, new RecoveryPolicy(true, told::add))) {
            assertThat(told).as(where).isEmpty();
            assertThat(log.recoveryLoss()).as(where).isNull();
            if (log.firstIndex() == 1) {
                assertThat(log.lastIndex()).as("the old log, whole: %s", where)
                    .isBetween((long) FORCED, (long) FORCED + UNFORCED);
                CrashLogFixture.assertRecords(log, log.lastIndex(), where);
            } else {
                assertThat(log.firstIndex()).as("the empty log at the new start: %s", where).isEqualTo(nextIndex);
                assertThat(log.lastIndex()).as(where).isEqualTo(nextIndex - 1);
                assertThat(log.startPosition()).as(where).isEqualTo(nextPosition);
                TestLogs.appendOne(log, 2, nextIndex, TestLogs.body(-1, 100));
                assertThat(log.position(nextIndex)).as("the next record goes at the new start: %s", where)
                    .isEqualTo(nextPosition);
            }
            log.flush();
        }
        try (CommitLog log = CommitLog.open(cfg(), null, disk, new RecoveryPolicy(true, told::add))) {
            assertThat(told).as("reopened: %s", where).isEmpty();
        }
    }
}
