package io.raftmq.broker.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.broker.snapshot.SnapshotPart.RestoreMode;
import io.raftmq.commitlog.dispatch.DispatchCheckpoint.QueueMax;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.store.StoreFixture;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.LogStorageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: the log-position part and the install reset (docs/snapshots.md rule 4): golden bytes of the two formats
 * involved ({@link LogPosition}, {@link SnapshotBoundary} version 2); a follower whose raft
 * log installs a leader's position and then receives the leader's entries holds the leader's bytes from that
 * position on and the same ConsumeQueue units; a reset a crash interrupted after the boundary was written is
 * finished on open. Method: real stores from the commitlog test fixture (64 KiB segments), seeded bodies (fixed
 * seeds 41, 42), a leader and a follower {@link CommitLogRaftLog} in one thread.
 */
class LogPositionInstallTest {
    private static final long S = 120;
    /** Record timestamps come from each member's clock: one clock for both, so whole records compare equal. */
    private static final long NOW_MS = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void logPositionGoldenBytesAndDamage() {
        LogPosition p = new LogPosition(0x0102, 0x0A0B0C, 0x11223344, List.of(new QueueMax("T", 3, 0x55)));
        byte[] bytes = p.encode();
        assertThat(HexFormat.of().formatHex(bytes, 0, bytes.length - 4)).isEqualTo("52464c50" + "01000000"
            + "0000000000000102" + "00000000000a0b0c" + "11223344" + "00000001" + "0001" + "54" + "00000003"
            + "0000000000000055");
        assertThat(LogPosition.decode(bytes)).isEqualTo(p);
        bytes[20] ^= 1;
        assertThatThrownBy(() -> LogPosition.decode(bytes)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("crc mismatch");
        assertThatThrownBy(() -> LogPosition.decode(new byte[10])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void boundaryVersionTwoGoldenBytesAndRoundTrip() {
        LogPosition p = new LogPosition(9, 100, 5, List.of());
        byte[] bytes = new SnapshotBoundary(9, 2, p).encode();
        byte[] position = p.encode();
        assertThat(HexFormat.of().formatHex(bytes, 0, 28)).isEqualTo("52465342" + "02000000" + "0000000000000009"
            + "0000000000000002" + String.format("%08x", position.length));
        assertThat(Arrays.copyOfRange(bytes, 28, 28 + position.length)).isEqualTo(position);
        assertThat(SnapshotBoundary.decode(bytes, dir)).isEqualTo(new SnapshotBoundary(9, 2, p));
        bytes[30] ^= 1;
        assertThatThrownBy(() -> SnapshotBoundary.decode(bytes, dir)).hasMessageContaining("crc mismatch");
    }

    @Test
    void installedFollowerReceivesTheLeadersBytes() throws IOException {
        try (MessageStore leaderStore = MessageStore.open(StoreFixture.config(dir.resolve("l")));
             MessageStore followerStore = MessageStore.open(StoreFixture.config(dir.resolve("f")))) {
            CommitLogRaftLog leader = new CommitLogRaftLog(leaderStore, dir.resolve("l-boundary"), () -> NOW_MS, 16);
            leader.write(entries(StoreFixture.bodies(41, 200, 0), 1, 3));
            leaderStore.dispatchUpToIndex(S);
            byte[] saved = new LogPositionPart(leaderStore, () -> S).save();
            LogPosition expected = LogPosition.decode(saved);
            assertThat(expected.nextPosition()).isEqualTo(leaderStore.commitLog().position(S + 1));

            StoreFixture.appendAll(followerStore, StoreFixture.bodies(42, 30, 900), 1, null);
            followerStore.dispatchUpToIndex(20);
            CommitLogRaftLog follower = new CommitLogRaftLog(followerStore, dir.resolve("f-boundary"), () -> NOW_MS,
                16);
            LogPositionPart part = new LogPositionPart(followerStore, () -> 0L);
            follower.installPositions(part);
            part.load(saved, RestoreMode.START);
            assertThat(part.takePending(S)).isNull();
            part.load(saved, RestoreMode.INSTALL);
            follower.resetToSnapshot(S, 3);
            assertThat(follower.term(S)).isEqualTo(3);
            assertThat(followerStore.commitLog().startPosition()).isEqualTo(expected.nextPosition());
            for (QueueMax q : expected.queues()) {
                assertThat(followerStore.nextQueueOffset(q.topic(), q.queueId())).isEqualTo(q.maxOffset());
            }
            List<Entry> rest = leader.entries(S + 1, leader.lastIndex() + 1, Long.MAX_VALUE);
            follower.write(rest);
            leaderStore.dispatchUpToIndex(leader.lastIndex());
            followerStore.dispatchUpToIndex(follower.lastIndex());
            byte[] all = StoreFixture.logBytes(leaderStore);
            int skip = (int) (expected.nextPosition() - leaderStore.commitLog().startPosition());
            assertThat(Arrays.equals(StoreFixture.logBytes(followerStore), Arrays.copyOfRange(all, skip, all.length)))
                .as("follower bytes equal the leader's from the installed position").isTrue();
            for (QueueMax q : expected.queues()) {
                assertThat(units(followerStore, q)).isEqualTo(units(leaderStore, q));
            }
        }
    }

    @Test
    void aResetInterruptedAfterTheBoundaryIsFinishedOnOpenAtTheLeadersPosition() throws IOException {
        LogPosition target;
        try (MessageStore leaderStore = MessageStore.open(StoreFixture.config(dir.resolve("l")))) {
            StoreFixture.appendAll(leaderStore, StoreFixture.bodies(41, 200, 0), 3, null);
            leaderStore.dispatchUpToIndex(S);
            target = LogPosition.capture(leaderStore, S);
        }
        try (MessageStore f = MessageStore.open(StoreFixture.config(dir.resolve("f")))) {
            StoreFixture.appendAll(f, StoreFixture.bodies(42, 30, 900), 1, null);
            f.dispatchUpToIndex(20);
        }
        // the crash came right after the boundary (the install's commit point) was written
        Files.write(dir.resolve("f-boundary"), new SnapshotBoundary(S, 3, target).encode());
        try (MessageStore f = MessageStore.open(StoreFixture.config(dir.resolve("f")))) {
            CommitLogRaftLog log = new CommitLogRaftLog(f, dir.resolve("f-boundary"), () -> 0L, 16);
            assertThat(log.firstIndex()).isEqualTo(S + 1);
            assertThat(log.term(S)).isEqualTo(3);
            assertThat(f.commitLog().startPosition()).isEqualTo(target.nextPosition());
            assertThat(f.commitLog().prevCrcOf(S + 1)).isEqualTo(target.prevCrc());
            assertThat(f.dispatchedPosition()).isEqualTo(target.nextPosition());
            for (QueueMax q : target.queues()) {
                assertThat(f.consumeQueues().queue(q.topic(), q.queueId()).minOffset()).isEqualTo(q.maxOffset());
                assertThat(f.nextQueueOffset(q.topic(), q.queueId())).isEqualTo(q.maxOffset());
            }
        }
        byte[] damaged = Files.readAllBytes(dir.resolve("f-boundary"));
        damaged[40] ^= 1;
        Files.write(dir.resolve("f-boundary"), damaged);
        try (MessageStore f = MessageStore.open(StoreFixture.config(dir.resolve("f")))) {
            assertThatThrownBy(() -> new CommitLogRaftLog(f, dir.resolve("f-boundary"), () -> 0L, 16))
                .isInstanceOf(LogStorageException.class).hasMessageContaining("f-boundary");
        }
    }

    /** Raft entries carrying {@code bodies} from {@code first}: message records, every 5th index another type. */
    private static List<Entry> entries(List<java.nio.ByteBuffer> bodies, long first, long term) {
        List<Entry> out = new java.util.ArrayList<>();
        for (java.nio.ByteBuffer b : bodies) {
            long index = first + out.size();
            byte[] payload = new byte[b.remaining()];
            b.duplicate().get(payload);
            out.add(new Entry(term, index, index % 5 == 0 ? StoreFixture.OTHER : StoreFixture.MESSAGE, payload));
        }
        return out;
    }

    @Test
    void aRebuildOfTheDerivedDataAfterAnInstallKeepsTheQueueCounters() throws IOException {
        try (MessageStore leaderStore = MessageStore.open(StoreFixture.config(dir.resolve("l")))) {
            CommitLogRaftLog leader = new CommitLogRaftLog(leaderStore, dir.resolve("l-boundary"), () -> NOW_MS, 16);
            leader.write(entries(StoreFixture.bodies(41, 200, 0), 1, 3));
            leaderStore.dispatchUpToIndex(S);
            byte[] saved = new LogPositionPart(leaderStore, () -> S).save();
            MessageStore f = MessageStore.open(StoreFixture.config(dir.resolve("f")));
            try {
                CommitLogRaftLog follower = new CommitLogRaftLog(f, dir.resolve("f-boundary"), () -> NOW_MS, 16);
                LogPositionPart part = new LogPositionPart(f, () -> 0L);
                follower.installPositions(part);
                part.load(saved, RestoreMode.INSTALL);
                follower.resetToSnapshot(S, 3);
                follower.write(leader.entries(S + 1, S + 3, Long.MAX_VALUE));
                follower.sync();
                f.close();
                Files.delete(dir.resolve("f").resolve("derived").resolve("dispatch.checkpoint")); // forces a rebuild
                f = MessageStore.open(StoreFixture.config(dir.resolve("f")));
                follower = new CommitLogRaftLog(f, dir.resolve("f-boundary"), () -> NOW_MS, 16);
                leaderStore.dispatchUpToIndex(S + 2);
                for (QueueMax q : LogPosition.decode(saved).queues()) {
                    assertThat(f.nextQueueOffset(q.topic(), q.queueId())).as(q.toString())
                        .isEqualTo(leaderStore.consumeQueues().maxOffset(q.topic(), q.queueId()));
                }
                follower.write(leader.entries(S + 3, leader.lastIndex() + 1, Long.MAX_VALUE)); // stamps accepted
                f.dispatchUpToIndex(follower.lastIndex());
                leaderStore.dispatchUpToIndex(leader.lastIndex());
                for (QueueMax q : LogPosition.decode(saved).queues()) {
                    assertThat(units(f, q)).isEqualTo(units(leaderStore, q));
                }
            } finally {
                f.close();
            }
        }
    }

    private static String units(MessageStore s, QueueMax from) throws IOException {
        ConsumeQueue q = s.consumeQueues().queue(from.topic(), from.queueId());
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) (q.maxOffset() - from.maxOffset()) * 20);
        q.read(from.maxOffset(), Integer.MAX_VALUE, b);
        return q.maxOffset() + HexFormat.of().formatHex(b.array(), 0, b.position());
    }
}
