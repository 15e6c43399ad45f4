package io.raftmq.commitlog.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.queue.ConsumeQueue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the dispatcher never rests past a filler that only an uncommitted record put there. Raft applies entry k
 * while entry k + 1, too large for the segment's tail, has opened the next segment (the tail closed by a filler);
 * then k + 1 is truncated and a smaller record takes its index in the tail (docs/storage.md "Consequences": a
 * truncation resumes at the end of the last kept record). Its messages must be dispatched: a dispatcher that had
 * moved past the filler to the next segment's start skipped them (found by the broker simulation, seed 300310,
 * docs/simulation.md). Method: a real store with 64 KiB segments ({@link StoreFixture}); fixed sizes, no randomness.
 */
class DispatchAtASegmentRollTest {
    private static final long SEGMENT_BYTES = 64 * 1024;
    private static final int SMALL_BODY = 100;
    private static final int LARGE_BODY = 16 * 1024;

    @TempDir
    Path dir;

    @Test
    void aTruncatedRecordThatOpenedASegmentLeavesItsReplacementDispatched() throws IOException {
        try (StoreFixture f = new StoreFixture(dir)) {
            MessageStore store = f.store;
            CommitLog log = store.commitLog();
            long k = fillUntilTheTailTakesOnlyASmallRecord(f);
            f.commit();
            long tail = log.endPosition();

            f.appendRecord(f.message("TopicB", 0, "t", "large", LARGE_BODY)); // uncommitted entry k + 1
            assertThat(Math.floorMod(log.position(k + 1), SEGMENT_BYTES)).as("entry k + 1 opened a segment").isZero();
            store.dispatchUpToIndex(k); // the apply of entry k, as the broker's state machine does it
            assertThat(store.dispatchedPosition()).as("dispatched up to the end of entry k").isEqualTo(tail);

            store.truncateFrom(k + 1); // another leader's entry k + 1 replaces it
            f.appendRecord(f.message("TopicA", 0, "t", "replacement", SMALL_BODY));
            long physical = f.physicalOffsets.get(f.physicalOffsets.size() - 1);
            assertThat(physical).as("the replacement lies in the tail").isLessThan(SEGMENT_BYTES);
            store.dispatchUpToIndex(k + 1);

            assertThat(store.dispatchedPosition()).isEqualTo(log.endPosition());
            ConsumeQueue q = store.consumeQueues().queue("TopicA", 0);
            assertThat(q.maxOffset()).as("a unit for every committed message of TopicA/0").isEqualTo(k + 1);
            ConsumeQueue.Unit unit = new ConsumeQueue.Unit();
            assertThat(q.read(k, unit)).isTrue();
            assertThat(unit.physicalOffset()).isEqualTo(physical);
            assertThat(store.consumeQueues().maxOffset("TopicB", 0)).as("nothing of the truncated entry").isZero();
        }
    }

    /**
     * Retention in Raft mode may delete the segment whose last record is the last one dispatched (the broker's
     * compaction point is at most the dispatched index) while the record that sealed it is not dispatched yet: the
     * dispatcher, which stands before that segment's filler, continues at the new log start.
     */
    @Test
    void retentionOfTheSegmentOfTheLastDispatchedRecordMovesTheDispatcherToTheLogStart() throws IOException {
        try (StoreFixture f = new StoreFixture(dir)) {
            MessageStore store = f.store;
            CommitLog log = store.commitLog();
            long k = fillUntilTheTailTakesOnlyASmallRecord(f);
            f.appendRecord(f.message("TopicB", 0, "t", "large", LARGE_BODY)); // entry k + 1 opens a segment
            store.dispatchUpToIndex(k);

            assertThat(log.deleteSegmentsBefore(k + 1)).isEqualTo(1);
            store.deleteDerivedBelowLogStart();
            assertThat(store.dispatchedPosition()).isEqualTo(log.startPosition());
            store.dispatchUpToIndex(k + 1);
            assertThat(store.dispatchedPosition()).isEqualTo(log.endPosition());
            assertThat(store.consumeQueues().maxOffset("TopicB", 0)).isEqualTo(1);
            assertThat(store.consumeQueues().queue("TopicA", 0).minOffset()).as("TopicA/0 all below the start")
                .isEqualTo(k);
        }
    }

    /**
     * Appends single-message records of TopicA/0 (entries 1..k) until the first segment's tail can take one more
     * but not a large one; returns k.
     */
    private static long fillUntilTheTailTakesOnlyASmallRecord(StoreFixture f) {
        CommitLog log = f.store.commitLog();
        int small = 48 + f.message("TopicA", 9, "t", "probe", SMALL_BODY).length + 64; // margin for longer keys
        long room = SEGMENT_BYTES;
        while (room < small || room >= LARGE_BODY / 2) {
            f.appendRecord(f.message("TopicA", 0, "t", "k" + log.lastIndex(), SMALL_BODY));
            room = SEGMENT_BYTES - Math.floorMod(log.endPosition(), SEGMENT_BYTES);
        }
        return log.lastIndex();
    }
}
