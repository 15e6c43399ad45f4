package io.raftmq.commitlog.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.commitlog.dispatch.DispatchCheckpoint;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.record.RecordHeader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a store reset to another store's position ({@link MessageStore#resetTo}: the snapshot-install case) holds,
 * once fed the other store's records, a log byte-identical to the other's from that position on and the same
 * ConsumeQueue units for the new messages; the reset survives a reopen before anything is appended. Method: a
 * "leader" store appends seeded bodies (fixed seeds 31..33) and dispatches up to index S; a "follower" store with
 * different older content is reset to the leader's position of S + 1 and counters at S, then receives the leader's
 * stamped records S + 1.. (the stamper refuses any stamp that differs from its own).
 */
class StoreResetTest {
    private static final long S = 150;

    @TempDir
    Path dir;

    @Test
    void resetStoreReceivesTheLeadersRecordsByteIdentical() throws IOException {
        runReset(false);
    }

    @Test
    void resetSurvivesAReopenBeforeTheFirstRecord() throws IOException {
        runReset(true);
    }

    private void runReset(boolean reopen) throws IOException {
        MessageStoreConfig followerConfig = StoreFixture.config(dir.resolve("f"));
        try (MessageStore leader = MessageStore.open(StoreFixture.config(dir.resolve("l")))) {
            StoreFixture.appendAll(leader, StoreFixture.bodies(31, 200, 0), 1, null);
            leader.dispatchUpToIndex(S);
            long position = leader.commitLog().position(S + 1);
            ByteBuffer header = ByteBuffer.allocate(RecordHeader.HEADER_LENGTH);
            leader.commitLog().readRange(leader.commitLog().position(S), header);
            int crcOfS = RecordHeader.crc(header, 0);
            List<DispatchCheckpoint.QueueMax> counters = counters(leader);
            MessageStore follower = MessageStore.open(followerConfig);
            try {
                StoreFixture.appendAll(follower, StoreFixture.bodies(32, 40, 5000), 1, null);
                follower.dispatchUpToIndex(30);
                follower.resetTo(S + 1, position, crcOfS, counters);
                assertReset(follower, position, counters);
                if (reopen) {
                    follower.close();
                    follower = MessageStore.open(followerConfig);
                    assertReset(follower, position, counters);
                }
                StoreFixture.copyRecords(leader, follower, S + 1, leader.commitLog().lastIndex());
                leader.dispatchUpToIndex(leader.commitLog().lastIndex());
                follower.dispatchUpToIndex(follower.commitLog().lastIndex());
                byte[] all = StoreFixture.logBytes(leader);
                int skip = (int) (position - leader.commitLog().startPosition());
                assertThat(Arrays.equals(StoreFixture.logBytes(follower), Arrays.copyOfRange(all, skip, all.length)))
                        .as("follower log bytes equal the leader's from the reset position").isTrue();
                assertThat(unitsFrom(follower, counters)).isEqualTo(unitsFrom(leader, counters));
                assertThat(follower.indexFiles().query("TopicA", "K160", 10, 0, Long.MAX_VALUE))
                        .isEqualTo(leader.indexFiles().query("TopicA", "K160", 10, 0, Long.MAX_VALUE));
            } finally {
                follower.close();
            }
        }
    }

    private static void assertReset(MessageStore f, long position, List<DispatchCheckpoint.QueueMax> counters)
            throws IOException {
        assertThat(f.commitLog().firstIndex()).isEqualTo(S + 1);
        assertThat(f.commitLog().lastIndex()).isEqualTo(S);
        assertThat(f.commitLog().startPosition()).isEqualTo(position);
        assertThat(f.commitLog().endPosition()).isEqualTo(position);
        assertThat(f.dispatchedPosition()).isEqualTo(position);
        assertThat(f.indexFiles().fileCount()).isZero();
        assertThat(counters).isNotEmpty();
        for (DispatchCheckpoint.QueueMax c : counters) {
            ConsumeQueue q = f.consumeQueues().queue(c.topic(), c.queueId());
            assertThat(q.minOffset()).as(c.toString()).isEqualTo(c.maxOffset());
            assertThat(q.maxOffset()).as(c.toString()).isEqualTo(c.maxOffset());
            assertThat(f.nextQueueOffset(c.topic(), c.queueId())).isEqualTo(c.maxOffset());
        }
        assertThat(Files.exists(f.config().dispatch().directory())).isTrue();
    }

    private static List<DispatchCheckpoint.QueueMax> counters(MessageStore s) {
        List<DispatchCheckpoint.QueueMax> out = new ArrayList<>();
        for (ConsumeQueue q : s.consumeQueues().queues()) {
            out.add(new DispatchCheckpoint.QueueMax(q.topic(), q.queueId(), q.maxOffset()));
        }
        return out;
    }

    /** Units of every queue from its reset counter on, as text. */
    private static String unitsFrom(MessageStore s, List<DispatchCheckpoint.QueueMax> counters) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (DispatchCheckpoint.QueueMax c : counters) {
            ConsumeQueue q = s.consumeQueues().queue(c.topic(), c.queueId());
            ByteBuffer units = ByteBuffer.allocate((int) (q.maxOffset() - c.maxOffset()) * ConsumeQueue.UNIT_SIZE);
            q.read(c.maxOffset(), Integer.MAX_VALUE, units);
            sb.append(c.topic()).append('/').append(c.queueId()).append(' ').append(q.maxOffset()).append(' ')
                    .append(Arrays.toString(Arrays.copyOf(units.array(), units.position()))).append('\n');
        }
        return sb.toString();
    }
}
