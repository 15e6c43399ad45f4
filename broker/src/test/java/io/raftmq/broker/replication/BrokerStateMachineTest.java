package io.raftmq.broker.replication;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.metadata.Fixture;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.SysFlag;
import io.raftmq.commitlog.AppendBatch;
import io.raftmq.commitlog.store.AppendResult;
import io.raftmq.commitlog.dispatch.DispatchConfig;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.store.MessageStoreConfig;
import io.raftmq.commitlog.store.StoreFixture;
import io.raftmq.raft.driver.RaftStatus;
import io.raftmq.raft.core.Role;
import io.raftmq.raft.log.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The feature hooks of the broker's state machine: applied-message listeners see every committed message with the
 * physical offset the store stamped, feature entry types reach their registered handler (and an unhandled one stops
 * the node), and {@link LeaderReadiness} waits for an applied entry of the leader's own term.
 */
class BrokerStateMachineTest {
    @TempDir
    Path dir;

    @Test
    void appliedMessageListenersSeeEveryMessageWithItsStampedPhysicalOffset() throws Exception {
        try (MessageStore store = open(dir)) {
            BrokerStateMachine sm = new BrokerStateMachine(store, Fixture.member().sm, 0);
            List<String> seen = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            sm.addAppliedMessageListener((index, phys, m) -> {
                seen.add(index + ":" + m.topic() + ":" + m.queueId() + ":" + m.preparedTransactionOffset());
                offsets.add(phys);
            });
            byte[] payload = concat(StoredMsg.of("TopicA", 1), StoredMsg.of("TopicB", 2));
            append(store, 1, payload);
            sm.apply(new Entry(1, 1, EntryType.MESSAGE, payload));

            assertThat(seen).containsExactly("1:TopicA:1:0", "1:TopicB:2:0");
            assertThat(offsets.get(1)).isGreaterThan(offsets.get(0));
            for (long phys : offsets) {
                ByteBuffer stamped = ByteBuffer.allocate(Long.BYTES);
                store.commitLog().readRange(phys + StoredMessage.PHYSICAL_OFFSET_OFFSET, stamped);
                assertThat(stamped.getLong(0)).as("PHYSICALOFFSET stored at %d", phys).isEqualTo(phys);
            }
        }
    }

    @Test
    void featureEntriesReachTheirHandlerAndAnUnhandledTypeStopsTheNode() throws Exception {
        try (MessageStore store = open(dir)) {
            BrokerStateMachine sm = new BrokerStateMachine(store, Fixture.member().sm, 0);
            List<String> applied = new ArrayList<>();
            sm.register(EntryType.TIMER_PROGRESS, (index, payload) -> applied.add(index + ":" + payload.length));
            assertThatThrownBy(() -> sm.register(EntryType.TIMER_PROGRESS, (i, p) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a handler");
            assertThatThrownBy(() -> sm.register(EntryType.TOPIC_PUT, (i, p) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a feature entry type");

            sm.apply(new Entry(3, 1, EntryType.TIMER_PROGRESS, new byte[5]));
            assertThat(applied).containsExactly("1:5");
            assertThat(sm.appliedTerm()).isEqualTo(3);
            assertThatThrownBy(() -> sm.apply(new Entry(3, 2, EntryType.TRANSACTION_OP, new byte[1])))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no handler");
        }
    }

    @Test
    void aLeaderIsReadyOnlyOnceItAppliedAnEntryOfItsOwnTerm() throws Exception {
        try (MessageStore store = open(dir)) {
            BrokerStateMachine sm = new BrokerStateMachine(store, Fixture.member().sm, 0);
            RaftStatus[] status = {status(Role.FOLLOWER, 4)};
            LeaderReadiness ready = new LeaderReadiness(() -> status[0], sm);
            sm.apply(new Entry(3, 1, 0, new byte[0]));
            assertThat(ready.readyTerm()).as("a follower").isZero();
            status[0] = status(Role.LEADER, 4);
            assertThat(ready.readyTerm()).as("leader of term 4, applied only term 3").isZero();
            sm.apply(new Entry(4, 2, 0, new byte[0]));
            assertThat(ready.readyTerm()).isEqualTo(4);
        }
    }

    private static RaftStatus status(Role role, long term) {
        return new RaftStatus(1, role, term, role == Role.LEADER ? 1 : 2, 0, 0, 0, false);
    }

    /** The test store settings with the broker's MESSAGE record type. */
    private static MessageStore open(Path dir) throws IOException {
        MessageStoreConfig c = StoreFixture.config(dir);
        DispatchConfig d = c.dispatch();
        return MessageStore.open(new MessageStoreConfig(c.commitLog(), new DispatchConfig(d.directory(),
            EntryType.MESSAGE, d.consumeQueueUnitsPerFile(), d.indexSlotCount(), d.indexEntryCount(),
            d.checkpointIntervalBytes(), d.readChunkBytes()), c.messagesMax()));
    }

    private static void append(MessageStore store, long index, byte[] payload) {
        AppendBatch batch = new AppendBatch(1);
        batch.add(1, index, EntryType.MESSAGE, StoreFixture.BASE_TS, ByteBuffer.wrap(payload));
        store.append(batch, new AppendResult(8));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }

    /** Encoded test messages. */
    private static final class StoredMsg {
        static byte[] of(String topic, int queueId) {
            return StoreFixture.encode(topic, queueId, "T", "K", "U" + topic, SysFlag.TRANSACTION_NOT,
                StoreFixture.BASE_TS);
        }
    }
}
