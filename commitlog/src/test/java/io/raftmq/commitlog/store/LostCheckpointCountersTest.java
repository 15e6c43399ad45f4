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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a member whose dispatch checkpoint is lost on a log that does not start at 0 (an install or retention moved
 * its start) rebuilds its derived data from the log start and, told its snapshot's counters
 * ({@link MessageStore#raiseQueuesAbsentBefore}), stamps every queue as the member that never lost them: a queue
 * with no message in the log keeps its counter instead of restarting at 0 (docs/simulation.md, seed 403349), and a
 * queue with messages before the snapshot's end restarts at the first one's stamped offset. Method: a "leader" store
 * appends seeded bodies (seed 31) and gives its counters at S and S2; a "follower" reset to the leader's position
 * after S (plus one queue, "Quiet/0" at 77, that never gets a message) receives the leader's records up to S2 + 10,
 * loses its checkpoint, reopens, is raised with the counters at S2, then stamps the leader's remaining records (the
 * stamper refuses any offset that differs from the leader's) and ends with the leader's ConsumeQueues.
 */
class LostCheckpointCountersTest {
    private static final long S = 150;
    private static final long S2 = 170;
    private static final DispatchCheckpoint.QueueMax QUIET = new DispatchCheckpoint.QueueMax("Quiet", 0, 77);

    @TempDir
    Path dir;

    @Test
    void aRebuildKeepsTheSnapshotsCountersOfQueuesAbsentFromTheLog() throws IOException {
        MessageStoreConfig followerConfig = StoreFixture.config(dir.resolve("f"));
        try (MessageStore leader = MessageStore.open(StoreFixture.config(dir.resolve("l")))) {
            StoreFixture.appendAll(leader, StoreFixture.bodies(31, 200, 0), 1, null);
            leader.dispatchUpToIndex(S);
            List<DispatchCheckpoint.QueueMax> atS = counters(leader);
            long position = leader.commitLog().position(S + 1);
            ByteBuffer header = ByteBuffer.allocate(RecordHeader.HEADER_LENGTH);
            leader.commitLog().readRange(leader.commitLog().position(S), header);
            leader.dispatchUpToIndex(S2);
            List<DispatchCheckpoint.QueueMax> atS2 = counters(leader);
            try (MessageStore f = MessageStore.open(followerConfig)) {
                f.resetTo(S + 1, position, RecordHeader.crc(header, 0), atS);
                StoreFixture.copyRecords(leader, f, S + 1, S2 + 10);
                f.dispatchUpToIndex(S2 + 10);
            }
            Files.delete(followerConfig.dispatch().directory().resolve("dispatch.checkpoint"));
            try (MessageStore f = MessageStore.open(followerConfig)) {
                assertThat(f.dispatchedPosition()).as("rebuilt from the log start").isEqualTo(position);
                assertThat(f.nextQueueOffset("Quiet", 0)).as("what the lost checkpoint alone knew").isZero();
                int moved = f.raiseQueuesAbsentBefore(leader.commitLog().position(S2 + 1), atS2);
                assertThat(moved).isPositive();
                assertThat(f.nextQueueOffset("Quiet", 0)).isEqualTo(77);
                StoreFixture.copyRecords(leader, f, S2 + 11, leader.commitLog().lastIndex());
                leader.dispatchUpToIndex(leader.commitLog().lastIndex());
                f.dispatchUpToIndex(f.commitLog().lastIndex());
                for (DispatchCheckpoint.QueueMax c : atS) {
                    assertThat(f.consumeQueues().maxOffset(c.topic(), c.queueId())).as(c.toString())
                            .isEqualTo(c == QUIET ? 77 : leader.consumeQueues().maxOffset(c.topic(), c.queueId()));
                }
                assertThat(f.raiseQueuesAbsentBefore(leader.commitLog().position(S2 + 1), atS2))
                        .as("a no-op once something was dispatched").isZero();
            }
        }
    }

    /** The store's counters, plus the quiet queue. */
    private static List<DispatchCheckpoint.QueueMax> counters(MessageStore s) {
        List<DispatchCheckpoint.QueueMax> out = new ArrayList<>();
        for (ConsumeQueue q : s.consumeQueues().queues()) {
            out.add(new DispatchCheckpoint.QueueMax(q.topic(), q.queueId(), q.maxOffset()));
        }
        out.add(QUIET);
        return out;
    }
}
