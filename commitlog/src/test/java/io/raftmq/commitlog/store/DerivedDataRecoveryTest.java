package io.raftmq.commitlog.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.indexfile.IndexFile;
import io.raftmq.commitlog.queue.ConsumeQueue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the dispatcher never builds derived data beyond the committed limit, resumes from its checkpoint after
 * a crash, and rebuilds from the log when derived files are missing or damaged, ending identical to an
 * undamaged store. Method: real stores on temp dirs with fixed-seed records; a crash is a copy of the store
 * directories taken while it is open; damage is done with direct file writes.
 */
class DerivedDataRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void neverDispatchesBeyondTheCommittedLimit() throws IOException {
        try (MessageStore s = MessageStore.open(StoreFixture.config(dir))) {
            StoreFixture.appendAll(s, StoreFixture.bodies(31, 100, 0), 1, null);
            for (long commit : new long[] {0, 1, 7, 30, 31, 64, 99, 100}) {
                long limit = commit == 100 ? s.commitLog().endPosition() : s.commitLog().position(commit + 1);
                assertThat(s.dispatchUpToIndex(commit)).isEqualTo(commit == 0 ? 0 : limit);
                assertUnitsBelow(s, s.dispatchedPosition());
                assertThat(keyHits(s, "K" + commit)).as("record %d is not committed", commit + 1).isZero();
                if (commit >= 1 && commit % 5 != 0) {
                    assertThat(keyHits(s, "K" + (commit - 1))).as("record %d is committed", commit).isPositive();
                }
            }
        }
    }

    @Test
    void aLimitInsideARecordStopsBeforeIt() throws IOException {
        try (MessageStore s = MessageStore.open(StoreFixture.config(dir))) {
            StoreFixture.appendAll(s, StoreFixture.bodies(32, 10, 0), 1, null);
            long inside = s.commitLog().position(5) + 60;
            assertThat(s.dispatchUpTo(inside)).isEqualTo(s.commitLog().position(5));
            assertUnitsBelow(s, s.commitLog().position(5));
            assertThatThrownBy(() -> s.dispatchUpTo(s.commitLog().endPosition() + 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void resumesFromTheCheckpointAfterACrash() throws IOException {
        List<ByteBuffer> bodies = StoreFixture.bodies(33, 160, 0);
        MessageStoreConfig config = StoreFixture.withCheckpointInterval(StoreFixture.config(dir.resolve("live")),
                1L << 40);
        try (MessageStore live = MessageStore.open(config)) {
            StoreFixture.appendAll(live, bodies, 1, null);
            live.dispatchUpToIndex(60);
            live.checkpoint();
            live.dispatchUpToIndex(100);
            StoreFixture.copyTree(dir.resolve("live"), dir.resolve("crash"));
            live.dispatchUpToIndex(160);
            try (MessageStore crashed = MessageStore.open(StoreFixture.config(dir.resolve("crash")))) {
                assertThat(crashed.dispatchedPosition()).isEqualTo(crashed.commitLog().position(61));
                assertUnitsBelow(crashed, crashed.commitLog().position(61));
                crashed.dispatchUpToIndex(160);
                assertSameDerivedData(crashed, live);
            }
        }
    }

    @Test
    void missingConsumeQueuesAreRebuilt() throws IOException {
        assertRebuiltAfter(root -> deleteTree(root.resolve("derived/consumequeue")));
    }

    @Test
    void corruptCheckpointTriggersRebuild() throws IOException {
        assertRebuiltAfter(root -> flipByte(root.resolve("derived/dispatch.checkpoint"), 9));
    }

    @Test
    void bitFlipInASealedConsumeQueueSegmentTriggersRebuild() throws IOException {
        assertRebuiltAfter(root -> flipByte(root.resolve("derived/consumequeue/TopicA/0/00000000000000000000"),
                ConsumeQueue.UNIT_SIZE + 2));
    }

    @Test
    void consumeQueueMissingCheckpointedUnitsTriggersRebuild() throws IOException {
        assertRebuiltAfter(root -> {
            Path queueDir = root.resolve("derived/consumequeue/TopicB/1");
            Path last;
            try (Stream<Path> files = Files.list(queueDir)) {
                last = files.sorted().reduce((a, b) -> b).orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(last); // a full-size segment: unwritten units are zeros
            int unit = bytes.length / ConsumeQueue.UNIT_SIZE - 1;
            while (Arrays.equals(bytes, unit * ConsumeQueue.UNIT_SIZE, (unit + 1) * ConsumeQueue.UNIT_SIZE,
                    new byte[ConsumeQueue.UNIT_SIZE], 0, ConsumeQueue.UNIT_SIZE)) {
                unit--;
            }
            Arrays.fill(bytes, unit * ConsumeQueue.UNIT_SIZE, (unit + 1) * ConsumeQueue.UNIT_SIZE, (byte) 0);
            Files.write(last, bytes);
        });
    }

    @Test
    void damagedIndexHeaderTriggersRebuild() throws IOException {
        assertRebuiltAfter(root -> {
            Path first;
            try (Stream<Path> files = Files.list(root.resolve("derived/index"))) {
                first = files.sorted().findFirst().orElseThrow();
            }
            flipByte(first, IndexFile.END_PHY_OFFSET_OFFSET + 6);
        });
    }

    interface Damage {
        void apply(Path storeRoot) throws IOException;
    }

    /** Builds a reference store, copies it, damages the copy, reopens: rebuilt from 0 and equal in the end. */
    private void assertRebuiltAfter(Damage damage) throws IOException {
        try (MessageStore reference = MessageStore.open(StoreFixture.config(dir.resolve("ref")))) {
            StoreFixture.appendAll(reference, StoreFixture.bodies(34, 150, 0), 1, null);
            reference.dispatchUpToIndex(150);
            reference.checkpoint();
            StoreFixture.copyTree(dir.resolve("ref"), dir.resolve("copy"));
            damage.apply(dir.resolve("copy"));
            try (MessageStore copy = MessageStore.open(StoreFixture.config(dir.resolve("copy")))) {
                assertThat(copy.dispatchedPosition()).isEqualTo(copy.commitLog().startPosition());
                assertThat(copy.consumeQueues().queues()).isEmpty();
                assertThat(copy.nextQueueOffset("TopicA", 0)).isEqualTo(reference.nextQueueOffset("TopicA", 0));
                copy.dispatchUpToIndex(150);
                assertSameDerivedData(copy, reference);
            }
        }
    }

    private static void assertSameDerivedData(MessageStore actual, MessageStore expected) throws IOException {
        assertThat(actual.dispatchedPosition()).isEqualTo(expected.dispatchedPosition());
        assertThat(StoreFixture.dumpQueues(actual)).isEqualTo(StoreFixture.dumpQueues(expected));
        for (String topic : StoreFixture.TOPICS) {
            for (String key : new String[] {"shared", "K3", "K77", "U5_0", "U120_0"}) {
                assertThat(actual.indexFiles().query(topic, key, 1000, 0, Long.MAX_VALUE))
                        .containsExactly(expected.indexFiles().query(topic, key, 1000, 0, Long.MAX_VALUE));
            }
        }
        assertThat(actual.indexFiles().query("TopicA", "shared", 1000, 0, Long.MAX_VALUE)).isNotEmpty();
    }

    /** Index hits for {@code key} over all topics (body n carries key "K" + n in record n + 1). */
    private static int keyHits(MessageStore s, String key) {
        int hits = 0;
        for (String topic : StoreFixture.TOPICS) {
            hits += s.indexFiles().query(topic, key, 100, 0, Long.MAX_VALUE).length;
        }
        return hits;
    }

    private static void assertUnitsBelow(MessageStore s, long limit) throws IOException {
        for (ConsumeQueue q : s.consumeQueues().queues()) {
            if (q.maxOffset() > q.minOffset()) {
                assertThat(q.lastPhysicalOffset()).isLessThan(limit);
            }
        }
    }

    private static void flipByte(Path file, int offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x20;
        Files.write(file, bytes);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

}
