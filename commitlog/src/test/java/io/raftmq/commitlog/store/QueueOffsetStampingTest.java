package io.raftmq.commitlog.store;

import static io.raftmq.commitlog.store.StoreFixture.MESSAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.AppendBatch;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.SysFlag;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: queue offsets and physical offsets are stamped at append time, deterministically from the log prefix,
 * so two replicas fed the same records hold byte-identical logs, also across truncation and restart. Method:
 * real stores on temp dirs; a "leader" appends fresh bodies, a "follower" appends either the leader's stamped
 * records or the same fresh bodies; compare raw log bytes and AppendResults. Seeds are fixed constants.
 */
class QueueOffsetStampingTest {
    @TempDir
    Path dir;

    @Test
    void stampsOffsetsPerQueueAndReportsThem() throws IOException {
        try (MessageStore s = MessageStore.open(StoreFixture.config(dir))) {
            ByteBuffer body = ByteBuffer.allocate(2048);
            body.put(StoreFixture.encode("TopicA", 1, "t", "k", "u1", 0, 1));
            body.put(StoreFixture.encode("TopicA", 1, "t", "k", "u2", SysFlag.TRANSACTION_PREPARED, 1));
            body.put(StoreFixture.encode("TopicB", 0, "t", "k", "u3", 0, 1));
            body.put(StoreFixture.encode("TopicA", 1, "t", "k", "u4", SysFlag.TRANSACTION_COMMIT, 1));
            body.flip();
            AppendResult r = new AppendResult(8);
            s.append(new AppendBatch(1).add(1, 1, MESSAGE, 0, body), r);
            assertThat(r.size()).isEqualTo(4);
            assertThat(new long[] {r.queueOffset(0), r.queueOffset(1), r.queueOffset(2), r.queueOffset(3)})
                    .containsExactly(0, 0, 0, 1);
            long recordPosition = s.commitLog().position(1);
            assertThat(r.physicalOffset(0)).isEqualTo(recordPosition + 48);
            ByteBuffer read = ByteBuffer.allocate(4096);
            s.commitLog().read(recordPosition, read);
            StoredMessage m = new StoredMessage();
            int at = 48;
            for (int i = 0; i < 4; i++) {
                m.wrap(read, at, read.position());
                assertThat(m.physicalOffset()).isEqualTo(r.physicalOffset(i)).isEqualTo(recordPosition + at);
                assertThat(m.queueOffset()).isEqualTo(r.queueOffset(i));
                at += m.totalSize();
            }
            assertThat(s.nextQueueOffset("TopicA", 1)).isEqualTo(2);
            assertThat(s.nextQueueOffset("TopicB", 0)).isEqualTo(1);
            assertThat(s.nextQueueOffset("TopicB", 5)).isZero();
        }
    }

    @Test
    void replicasFedTheSameRecordsAreByteIdentical() throws IOException {
        List<ByteBuffer> first = StoreFixture.bodies(11, 300, 0);
        List<ByteBuffer> second = StoreFixture.bodies(12, 40, 1000);
        List<ByteBuffer> replacement = StoreFixture.bodies(13, 60, 2000);
        try (MessageStore leader = MessageStore.open(StoreFixture.config(dir.resolve("a")));
             MessageStore fresh = MessageStore.open(StoreFixture.config(dir.resolve("b")));
             MessageStore replicated = MessageStore.open(StoreFixture.config(dir.resolve("c")))) {
            for (MessageStore s : List.of(leader, fresh)) {
                StoreFixture.appendAll(s, first, 1, null);
                s.dispatchUpToIndex(200);
                StoreFixture.appendAll(s, second, 1, null);
            }
            StoreFixture.copyRecords(leader, replicated, 1, leader.commitLog().lastIndex());
            replicated.dispatchUpToIndex(200);
            assertThat(StoreFixture.logBytes(fresh)).isEqualTo(StoreFixture.logBytes(leader));
            assertThat(StoreFixture.logBytes(replicated)).isEqualTo(StoreFixture.logBytes(leader));
            for (MessageStore s : List.of(leader, fresh, replicated)) {
                s.truncateFrom(250);
                StoreFixture.appendAll(s, replacement, 2, null);
                s.dispatchUpToIndex(s.commitLog().lastIndex());
            }
            assertThat(StoreFixture.logBytes(fresh)).isEqualTo(StoreFixture.logBytes(leader));
            assertThat(StoreFixture.logBytes(replicated)).isEqualTo(StoreFixture.logBytes(leader));
            assertThat(StoreFixture.dumpQueues(replicated)).isEqualTo(StoreFixture.dumpQueues(leader));
            assertThat(StoreFixture.dumpQueues(fresh)).isEqualTo(StoreFixture.dumpQueues(leader));
        }
    }

    @Test
    void countersAreRebuiltFromTheUndispatchedTailAfterRestart() throws IOException {
        List<ByteBuffer> bodies = StoreFixture.bodies(21, 120, 0);
        String expected;
        try (MessageStore reference = MessageStore.open(StoreFixture.config(dir.resolve("ref")))) {
            StoreFixture.appendAll(reference, bodies, 1, null);
            StoreFixture.appendAll(reference, StoreFixture.bodies(22, 30, 500), 1, null);
            expected = new String(StoreFixture.logBytes(reference), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        try (MessageStore s = MessageStore.open(StoreFixture.config(dir.resolve("s")))) {
            StoreFixture.appendAll(s, bodies, 1, null);
            s.dispatchUpToIndex(50);
        }
        try (MessageStore s = MessageStore.open(StoreFixture.config(dir.resolve("s")))) {
            assertThat(s.dispatchedPosition()).isEqualTo(s.commitLog().position(51));
            StoreFixture.appendAll(s, StoreFixture.bodies(22, 30, 500), 1, null);
            String actual = new String(StoreFixture.logBytes(s), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void replicatedBodyWithForeignStampsIsRefused() throws IOException {
        try (MessageStore a = MessageStore.open(StoreFixture.config(dir.resolve("a")));
             MessageStore b = MessageStore.open(StoreFixture.config(dir.resolve("b")))) {
            ByteBuffer one = ByteBuffer.wrap(StoreFixture.encode("TopicA", 0, "t", "k", "u", 0, 1));
            a.append(new AppendBatch(1).add(1, 1, MESSAGE, 0, one.duplicate()), null);
            a.append(new AppendBatch(1).add(1, 2, MESSAGE, 0, one.duplicate()), null);
            ByteBuffer rec = ByteBuffer.allocate(4096);
            a.commitLog().read(a.commitLog().position(2), rec);
            ByteBuffer stampedSecond = rec.flip().position(48).slice();
            b.append(new AppendBatch(1).add(1, 1, MESSAGE, 0, one.duplicate()), null);
            b.append(new AppendBatch(1).add(1, 2, MESSAGE, 0, one.duplicate()), null);
            assertThatThrownBy(() -> b.append(new AppendBatch(1).add(1, 3, MESSAGE, 0, stampedSecond), null))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("replicated");
            assertThat(b.commitLog().lastIndex()).isEqualTo(2);
        }
    }
}
