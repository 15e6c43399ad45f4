package io.raftmq.commitlog.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import io.raftmq.commitlog.queue.ConsumeQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: retention of the CommitLog head prunes the derived data consistently, and a rebuild after the head
 * was deleted yields the same ConsumeQueues (queues then start at non-zero offsets) and next offsets. Method:
 * 400 fixed-seed records over several 64 KiB segments; retention with a clock far in the future.
 */
class RetentionAndRebuildTest {
    static final long FAR_FUTURE_MS = 1_800_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void retentionPrunesDerivedDataAndRebuildMatches() throws IOException {
        String dumpAfterRetention;
        long nextA0;
        try (MessageStore s = MessageStore.open(StoreFixture.config(dir))) {
            StoreFixture.appendAll(s, StoreFixture.bodies(41, 400, 0), 1, null);
            s.dispatchUpToIndex(300);
            assertThat(s.deleteExpired(Long.MAX_VALUE, FAR_FUTURE_MS)).isPositive();
            long start = s.commitLog().startPosition();
            assertThat(start).isPositive().isLessThanOrEqualTo(s.dispatchedPosition());
            for (ConsumeQueue q : s.consumeQueues().queues()) {
                ConsumeQueue.Unit u = new ConsumeQueue.Unit();
                if (q.read(q.minOffset(), u)) {
                    assertThat(u.physicalOffset()).isGreaterThanOrEqualTo(start);
                }
                if (q.minOffset() > 0 && q.minOffset() < q.maxOffset()) {
                    assertThat(q.read(q.minOffset() - 1, u)).isFalse();
                }
            }
            for (String topic : StoreFixture.TOPICS) {
                long[] hits = s.indexFiles().query(topic, "shared", 10_000, 0, Long.MAX_VALUE);
                assertThat(hits).isNotEmpty();
                for (long p : hits) {
                    assertThat(p).isGreaterThanOrEqualTo(start);
                }
            }
            s.dispatchUpToIndex(400);
            dumpAfterRetention = StoreFixture.dumpQueues(s);
            nextA0 = s.nextQueueOffset("TopicA", 0);
        }
        deleteTree(dir.resolve("derived"));
        try (MessageStore s = MessageStore.open(StoreFixture.config(dir))) {
            assertThat(s.dispatchedPosition()).isEqualTo(s.commitLog().startPosition());
            assertThat(s.nextQueueOffset("TopicA", 0)).isEqualTo(nextA0);
            s.dispatchUpToIndex(400);
            assertThat(StoreFixture.dumpQueues(s)).isEqualTo(dumpAfterRetention);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
