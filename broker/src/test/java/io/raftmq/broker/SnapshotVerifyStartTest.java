package io.raftmq.broker;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.replication.CommitLogRaftLog;
import io.raftmq.broker.replication.LogPosition;
import io.raftmq.broker.replication.LogPositionPart;
import io.raftmq.broker.snapshot.FileSnapshotStore;
import io.raftmq.broker.snapshot.SnapshotImage;
import io.raftmq.commitlog.dispatch.DispatchConfig;
import io.raftmq.commitlog.recovery.RecoveryPolicy;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.store.MessageStoreConfig;
import io.raftmq.commitlog.store.StoreFixture;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.LogCompactedException;
import io.raftmq.raft.log.LogStorageException;
import io.raftmq.raft.statemachine.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: a broker's commit-log open verifies from where its newest snapshot's entry ends, not from the log start:
 * the start comes from the newest readable snapshot with a log position, damage above it is found at open and
 * recorded for repair, damage below it is not read at open and, when read later, is answered with the snapshot
 * ({@link LogCompactedException}) instead of stopping the member. Method: 40 entries of 1,000 bytes through a
 * {@link CommitLogRaftLog} over a real store, a snapshot file at entry 20 with the log-position part, bit flips in
 * record bodies, then a reopen with {@link RaftGroupNode#recoveryPolicy}.
 */
class SnapshotVerifyStartTest {
    private static final int N = 40;
    private static final byte TYPE = 64;

    @TempDir
    Path dir;

    private MessageStoreConfig storeConfig() {
        MessageStoreConfig c = StoreFixture.config(dir.resolve("store"));
        DispatchConfig d = c.dispatch();
        return new MessageStoreConfig(c.commitLog(), new DispatchConfig(d.directory(), EntryType.MESSAGE,
            d.consumeQueueUnitsPerFile(), d.indexSlotCount(), d.indexEntryCount(), d.checkpointIntervalBytes(),
            d.readChunkBytes()), c.messagesMax());
    }

    private MessageStore openStore(RecoveryPolicy policy) throws Exception {
        return MessageStore.open(storeConfig(), policy);
    }

    private CommitLogRaftLog raftLog(MessageStore store) {
        return new CommitLogRaftLog(store, dir.resolve("raft-boundary"), () -> 1_000L, 4);
    }

    private static Snapshot snapshot(long index, Map<String, byte[]> parts) {
        return new Snapshot(index, 1, new byte[0], new SnapshotImage(0, parts).encode());
    }

    /**
     * Writes the log, dispatches it up to {@code dispatchTo} (the dispatch checkpoint at close) and writes snapshots
     * at 10 and 20 (with log positions) and 30 (without); returns the records' positions.
     */
    private long[] writeLogAndSnapshots(FileSnapshotStore snapshots, long dispatchTo) throws Exception {
        long[] positions = new long[N + 1];
        byte[] olderCheckpoint = null;
        try (MessageStore store = openStore(RecoveryPolicy.DEFAULT)) {
            CommitLogRaftLog log = raftLog(store);
            List<Entry> entries = new ArrayList<>();
            for (int i = 1; i <= N; i++) {
                entries.add(new Entry(1, i, TYPE, new byte[1000]));
            }
            log.append(entries);
            log.sync();
            for (int i = 1; i <= N; i++) {
                positions[i] = store.commitLog().position(i);
            }
            for (long s : new long[] {10, 20}) {
                if (s == 20 && dispatchTo < 20) { // the dispatch checkpoint file lags behind (written every 16 MiB)
                    store.dispatchUpToIndex(dispatchTo);
                    store.checkpoint();
                    olderCheckpoint = Files.readAllBytes(dispatchCheckpoint());
                }
                store.dispatchUpToIndex(s);
                snapshots.offer(snapshot(s, Map.of(LogPositionPart.NAME, LogPosition.capture(store, s).encode())));
            }
            snapshots.offer(snapshot(30, Map.of("metadata", new byte[] {1})));
            store.dispatchUpToIndex(Math.max(20, dispatchTo));
        }
        if (olderCheckpoint != null) {
            Files.write(dispatchCheckpoint(), olderCheckpoint);
        }
        return positions;
    }

    private Path dispatchCheckpoint() {
        return dir.resolve("store/derived/dispatch.checkpoint");
    }

    private void flipBody(long position) throws Exception {
        long at = position + 48 + 7;
        Path seg = dir.resolve("store/commitlog/log").resolve(String.format("%020d", at - at % (64 * 1024)));
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(at % (64 * 1024));
            int b = f.read();
            f.seek(at % (64 * 1024));
            f.write(b ^ 0x04);
        }
    }

    @Test
    void theNewestSnapshotWithALogPositionNamesTheStart() throws Exception {
        Path snapDir = dir.resolve("snapshot");
        assertThat(SnapshotVerifyStart.find(snapDir)).as("no directory").isNull();
        FileSnapshotStore snapshots = new FileSnapshotStore(snapDir, 10, Runnable::run);
        long[] positions = writeLogAndSnapshots(snapshots, 30);
        snapshots.offer(snapshot(35, Map.of(LogPositionPart.NAME, new LogPosition(35, 7, 0, List.of()).encode())));
        Path damaged = snapDir.resolve("00000000000000000035.snap");
        byte[] b = Files.readAllBytes(damaged);
        b[b.length / 2] ^= 1;
        Files.write(damaged, b);

        RecoveryPolicy.VerifyStart start = SnapshotVerifyStart.find(snapDir);
        assertThat(start.index()).as("35 damaged, 30 without a log position").isEqualTo(21);
        assertThat(start.position()).isEqualTo(positions[21]);
        RecoveryPolicy policy = RaftGroupNode.recoveryPolicy(snapDir, dispatchCheckpoint(), dir.resolve("raft"));
        assertThat(policy.verifyWholeLog()).isTrue();
        assertThat(policy.verifyFrom()).as("the dispatch checkpoint at 30 lies above").isEqualTo(start);
        assertThat(RaftGroupNode.recoveryPolicy(dir.resolve("none"), dispatchCheckpoint(), dir.resolve("raft"))
            .verifyFrom()).isNull();
        assertThat(SnapshotVerifyStart.find(snapDir, dir.resolve("no-checkpoint"))).as("derived data rebuilt")
            .isNull();
    }

    @Test
    void aDispatchCheckpointBelowTheSnapshotLowersTheStart() throws Exception {
        Path snapDir = dir.resolve("snapshot");
        long[] positions = writeLogAndSnapshots(new FileSnapshotStore(snapDir, 10, Runnable::run), 15);
        RecoveryPolicy.VerifyStart start = SnapshotVerifyStart.find(snapDir, dispatchCheckpoint());
        assertThat(start).isEqualTo(new RecoveryPolicy.VerifyStart(positions[16], 16, 0, false));
        flipBody(positions[17]);
        try (MessageStore store = openStore(RaftGroupNode.recoveryPolicy(snapDir, dispatchCheckpoint(),
            dir.resolve("raft")))) {
            assertThat(store.commitLog().lastIndex()).as("damage the replay reads is found at open").isEqualTo(16);
        }
    }

    @Test
    void damageBelowTheSnapshotIsServedByTheSnapshotAndDamageAboveIsRepaired() throws Exception {
        Path snapDir = dir.resolve("snapshot");
        long[] positions = writeLogAndSnapshots(new FileSnapshotStore(snapDir, 10, Runnable::run), N);
        flipBody(positions[5]);
        try (MessageStore store = openStore(RaftGroupNode.recoveryPolicy(snapDir, dispatchCheckpoint(),
            dir.resolve("raft")))) {
            assertThat(store.commitLog().recoveryLoss()).as("damage below the start is not read").isNull();
            assertThat(store.commitLog().lastIndex()).isEqualTo(N);
            CommitLogRaftLog log = raftLog(store);
            assertThatThrownBy(() -> log.entries(5, 6, 1 << 20)).isInstanceOf(LogStorageException.class);
            log.coverDamagedReadsBySnapshot(() -> 20);
            assertThatThrownBy(() -> log.entries(3, 8, 1 << 20)).isInstanceOf(LogCompactedException.class);
            assertThat(log.damagedReads()).isEqualTo(1);
            assertThat(log.entries(21, N + 1, 1 << 20)).hasSize(N - 20);
        }
        assertThat(Files.exists(dir.resolve("raft/repair"))).isFalse();

        flipBody(positions[25]);
        try (MessageStore store = RaftGroupNode.openVerifying(storeConfig(),
            RaftGroupNode.recoveryPolicy(snapDir, dispatchCheckpoint(), dir.resolve("raft")))) {
            assertThat(store.commitLog().recoveryLoss().firstLostIndex())
                .as("cut back at 25 below the dispatched position: the stamper reads from the log start, meets 5,"
                    + " and the store is opened again verifying the whole log").isEqualTo(5);
            assertThat(store.commitLog().lastIndex()).isEqualTo(4);
        }
        assertThat(Files.exists(dir.resolve("raft/repair"))).as("the loss is recorded for repair").isTrue();
    }
}
