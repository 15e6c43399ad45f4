package io.raftmq.broker;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.metadata.Fixture;
import io.raftmq.broker.replication.BrokerStateMachine;
import io.raftmq.broker.snapshot.FileSnapshotStore;
import io.raftmq.broker.snapshot.SnapshotImage;
import io.raftmq.broker.snapshot.SnapshotPart;
import io.raftmq.commitlog.dispatch.DispatchConfig;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.store.MessageStoreConfig;
import io.raftmq.commitlog.store.StoreFixture;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.statemachine.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: restore at start picks the newest snapshot that is valid, inside the log ({@code [firstIndex - 1,
 * lastIndex]}) and of the log's term there, falls back to older ones when a file or a part is damaged, replays the
 * whole log without one, and refuses to start when the log no longer begins at index 1 and no snapshot covers it.
 */
class RaftGroupNodeRecoverTest {
    @TempDir
    Path dir;

    /** A part that remembers the last bytes loaded and refuses the byte 66. */
    private static final class Part implements SnapshotPart {
        final List<String> loaded = new ArrayList<>();

        @Override
        public String name() {
            return "p";
        }

        @Override
        public byte[] save() {
            return new byte[0];
        }

        @Override
        public void load(byte[] data, RestoreMode mode) {
            if (data.length > 0 && data[0] == 66) {
                throw new IllegalArgumentException("snapshot part p: cannot decode");
            }
            loaded.add(mode + " " + (data.length > 0 ? data[0] : -1));
        }

        @Override
        public void loadAbsent(RestoreMode mode) {
            loaded.add("absent " + mode);
        }
    }

    private static MemoryRaftLog log(long last, long term) {
        MemoryRaftLog log = new MemoryRaftLog();
        List<Entry> entries = new ArrayList<>();
        for (long i = 1; i <= last; i++) {
            entries.add(new Entry(term, i, 0, new byte[0]));
        }
        log.append(entries);
        log.sync();
        return log;
    }

    private void write(FileSnapshotStore store, long index, long term, int partByte) {
        store.offer(new Snapshot(index, term, new SnapshotImage(index * 100, Map.of("p",
            new byte[] {(byte) partByte})).encode()));
    }

    private MessageStore openStore() throws Exception {
        MessageStoreConfig c = StoreFixture.config(dir.resolve("store"));
        DispatchConfig d = c.dispatch();
        return MessageStore.open(new MessageStoreConfig(c.commitLog(), new DispatchConfig(d.directory(),
            EntryType.MESSAGE, d.consumeQueueUnitsPerFile(), d.indexSlotCount(), d.indexEntryCount(),
            d.checkpointIntervalBytes(), d.readChunkBytes()), c.messagesMax()));
    }

    @Test
    void theNewestUsableSnapshotInsideTheLogWins() throws Exception {
        FileSnapshotStore store = new FileSnapshotStore(dir.resolve("snapshot"), 10, Runnable::run);
        write(store, 10, 1, 10);
        write(store, 20, 1, 66); // a part refuses it
        write(store, 30, 2, 30); // a term the log does not have there
        write(store, 40, 1, 40);
        write(store, 90, 1, 90); // beyond the log
        Path damaged = dir.resolve("snapshot").resolve("00000000000000000040.snap");
        byte[] b = Files.readAllBytes(damaged);
        b[50] ^= 1;
        Files.write(damaged, b);
        try (MessageStore ms = openStore()) {
            BrokerStateMachine sm = new BrokerStateMachine(ms, Fixture.member().sm, 0);
            Part p = new Part();
            sm.addSnapshotPart(p);
            assertThat(RaftGroupNode.recover(sm, store, log(50, 1))).isEqualTo(10);
            assertThat(p.loaded).containsExactly("START 10");
            assertThat(sm.appliedIndex()).isEqualTo(10);
        }
    }

    @Test
    void withoutASnapshotTheWholeLogIsReplayedUnlessItsStartIsGone() throws Exception {
        FileSnapshotStore store = new FileSnapshotStore(dir.resolve("snapshot"), 10, Runnable::run);
        try (MessageStore ms = openStore()) {
            BrokerStateMachine sm = new BrokerStateMachine(ms, Fixture.member().sm, 0);
            Part p = new Part();
            sm.addSnapshotPart(p);
            assertThat(RaftGroupNode.recover(sm, store, log(5, 1))).isZero();
            assertThat(p.loaded).containsExactly("absent START");

            MemoryRaftLog compacted = log(50, 1);
            compacted.compact(20);
            assertThatThrownBy(() -> RaftGroupNode.recover(sm, store, compacted))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("wipe");
            write(store, 20, 1, 20);
            assertThat(RaftGroupNode.recover(new BrokerStateMachine(ms, Fixture.member().sm, 20), store, compacted))
                .as("the snapshot at firstIndex - 1").isEqualTo(20);
        }
    }
}
