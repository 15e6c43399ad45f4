package io.raftmq.broker.snapshot;

import io.raftmq.commitlog.io.FaultyMemoryStorage;
import io.raftmq.raft.statemachine.Snapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the snapshot store writes on its writer only (driven by hand here: no threads, no sleeps), never returns a
 * snapshot before it is written, keeps the newest N but never the compaction point, picks the compaction point
 * under the feature floors, skips damaged files with a message naming them and removes leftovers of an interrupted
 * write.
 */
class FileSnapshotStoreTest {
    /** Runs queued writes when the test says so. */
    private static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> queued = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            queued.add(r);
        }

        void runAll() {
            for (Runnable r = queued.poll(); r != null; r = queued.poll()) {
                r.run();
            }
        }
    }

    private static Snapshot snapshot(long index, long nextPosition) {
        byte[] image = new SnapshotImage(nextPosition, Map.of("p", new byte[] {(byte) index})).encode();
        return new Snapshot(index, 1, new byte[] {9}, image);
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSnapshotIsReturnedOnlyOnceWrittenAndReadsBackAsOffered(@TempDir Path dir) throws Exception {
        ManualExecutor w = new ManualExecutor();
        FileSnapshotStore s = new FileSnapshotStore(dir, 3, w);
        s.offer(snapshot(10, 1000));
        assertThat(s.latest()).isNull();
        assertThat(s.compactionPoint()).isNull();
        w.runAll();
        assertThat(s.compactionPoint()).isEqualTo(new SnapshotInfo(10, 1, 1000));
        assertThat(s.latest()).isEqualTo(snapshot(10, 1000));
        assertThat(s.latest()).as("cached").isSameAs(s.latest());
        assertThat(files(dir)).containsExactly("00000000000000000010.snap");
        FileSnapshotStore reopened = new FileSnapshotStore(dir, 3, w);
        assertThat(reopened.newestFirst()).containsExactly(new SnapshotInfo(10, 1, 1000));
        assertThat(reopened.read(new SnapshotInfo(10, 1, 1000)).toRaftSnapshot()).isEqualTo(snapshot(10, 1000));
    }

    @Test
    void aNewerOfferReplacesOneStillWaiting(@TempDir Path dir) throws Exception {
        ManualExecutor w = new ManualExecutor();
        FileSnapshotStore s = new FileSnapshotStore(dir, 3, w);
        s.offer(snapshot(10, 1000));
        s.offer(snapshot(20, 2000));
        w.runAll();
        assertThat(s.newestFirst()).containsExactly(new SnapshotInfo(20, 1, 2000));
        assertThat(s.written()).isEqualTo(1);
        s.offer(snapshot(15, 1500));
        w.runAll();
        assertThat(s.newestFirst()).as("an older offer than the newest on disk is dropped")
            .containsExactly(new SnapshotInfo(20, 1, 2000));
    }

    /**
     * An install below snapshots this member took before its log was cut back (damage inside the log; the broker
     * simulation's seed 420138): the installed one is written and listed, the newer ones deleted, so a restart on the
     * log restarted after the install finds it; a reopened store lists only it and the older ones.
     */
    @Test
    void anInstallBelowNewerSnapshotsReplacesThem(@TempDir Path dir) throws Exception {
        ManualExecutor w = new ManualExecutor();
        FileSnapshotStore s = new FileSnapshotStore(dir, 5, w);
        for (long i : new long[] {379, 526, 692}) {
            s.offer(snapshot(i, i * 1000));
            w.runAll();
        }
        s.install(snapshot(481, 481_000));
        assertThat(s.newestFirst()).extracting(SnapshotInfo::index).containsExactly(481L, 379L);
        assertThat(files(dir)).containsExactly("00000000000000000379.snap", "00000000000000000481.snap");
        assertThat(s.latest()).isEqualTo(snapshot(481, 481_000));
        FileSnapshotStore reopened = new FileSnapshotStore(dir, 5, w);
        assertThat(reopened.newestFirst()).extracting(SnapshotInfo::index).containsExactly(481L, 379L);
        s.install(snapshot(700, 700_000));
        assertThat(s.newestFirst()).as("an install above every snapshot deletes none")
            .extracting(SnapshotInfo::index).containsExactly(700L, 481L, 379L);
    }

    @Test
    void keepsTheNewestNAndTheCompactionPoint(@TempDir Path dir) throws Exception {
        ManualExecutor w = new ManualExecutor();
        FileSnapshotStore s = new FileSnapshotStore(dir, 2, w);
        AtomicLong floor = new AtomicLong(Long.MAX_VALUE);
        s.addFloor(floor::get);
        s.addFloor(() -> Long.MAX_VALUE);
        for (int i = 1; i <= 4; i++) {
            s.offer(snapshot(i * 10, i * 1000));
            w.runAll();
        }
        assertThat(s.newestFirst()).extracting(SnapshotInfo::index).containsExactly(40L, 30L);
        floor.set(3999); // a timer parked in the record after index 30 is not delivered yet
        assertThat(s.compactionPoint().index()).isEqualTo(30);
        for (int i = 5; i <= 6; i++) {
            s.offer(snapshot(i * 10, i * 1000));
            w.runAll();
        }
        assertThat(s.newestFirst()).extracting(SnapshotInfo::index).containsExactly(60L, 50L, 30L);
        assertThat(s.compactionPoint().index()).isEqualTo(30);
        assertThat(s.latest().index()).isEqualTo(30);
        assertThat(files(dir)).containsExactly("00000000000000000030.snap", "00000000000000000050.snap",
            "00000000000000000060.snap");
        floor.set(999);
        assertThat(s.compactionPoint()).as("nothing at or below the floor").isNull();
        assertThat(s.latest()).isNull();
        floor.set(Long.MAX_VALUE);
        s.offer(snapshot(70, 7000));
        w.runAll();
        assertThat(s.newestFirst()).extracting(SnapshotInfo::index).containsExactly(70L, 60L);
        assertThat(s.floor()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void damagedFilesAndLeftoversAreSkippedAtOpen(@TempDir Path dir) throws Exception {
        ManualExecutor w = new ManualExecutor();
        FileSnapshotStore s = new FileSnapshotStore(dir, 3, w);
        s.offer(snapshot(10, 1000));
        w.runAll();
        s.offer(snapshot(20, 2000));
        w.runAll();
        Path newest = dir.resolve("00000000000000000020.snap");
        byte[] b = Files.readAllBytes(newest);
        Files.write(newest, java.util.Arrays.copyOf(b, b.length - 3)); // torn
        Files.write(dir.resolve("00000000000000000030.snap.tmp"), new byte[] {1, 2, 3});
        FileSnapshotStore reopened = new FileSnapshotStore(dir, 3, w);
        assertThat(reopened.newestFirst()).containsExactly(new SnapshotInfo(10, 1, 1000));
        assertThat(reopened.latest().index()).isEqualTo(10);
        assertThat(files(dir)).doesNotContain("00000000000000000030.snap.tmp");
    }

    @Test
    void aFileDamagedAfterOpenIsDroppedWhenRead(@TempDir Path dir) throws Exception {
        ManualExecutor w = new ManualExecutor();
        FileSnapshotStore s = new FileSnapshotStore(dir, 3, w);
        s.offer(snapshot(10, 1000));
        w.runAll();
        s.offer(snapshot(20, 2000));
        w.runAll();
        Path newest = dir.resolve("00000000000000000020.snap");
        byte[] b = Files.readAllBytes(newest);
        b[b.length / 2] ^= 4;
        Files.write(newest, b);
        SnapshotInfo info = s.newestFirst().get(0);
        assertThatThrownBy(() -> s.read(info)).isInstanceOf(CorruptSnapshotException.class)
            .hasMessageContaining(newest.toString());
        assertThat(s.newestFirst()).extracting(SnapshotInfo::index).containsExactly(10L);
        assertThat(s.latest().index()).isEqualTo(10);
    }

    @Test
    void aFailedWriteIsCountedAndLeavesNothingListed(@TempDir Path dir) throws Exception {
        ManualExecutor w = new ManualExecutor();
        FileSnapshotStore s = new FileSnapshotStore(dir, 3, w);
        s.addBeforeWrite(() -> {
            throw new java.io.IOException("disk full");
        });
        s.offer(snapshot(10, 1000));
        w.runAll();
        assertThat(s.writeFailures()).isEqualTo(1);
        assertThat(s.newestFirst()).isEmpty();
        assertThat(files(dir)).isEmpty();
        s.offer(new Snapshot(11, 1, new byte[] {1, 2, 3})); // not an image: refused, counted
        w.runAll();
        assertThat(s.writeFailures()).isEqualTo(2);
    }

    @Test
    void theOwnWriterWritesAndCloseWaitsForIt(@TempDir Path dir) throws Exception {
        FileSnapshotStore s = FileSnapshotStore.open(dir, 3);
        s.offer(snapshot(10, 1000));
        s.close();
        assertThat(s.newestFirst()).containsExactly(new SnapshotInfo(10, 1, 1000));
        s.offer(snapshot(20, 2000)); // closed: dropped, never thrown on the agent thread
        assertThat(s.newestFirst()).hasSize(1);
    }

    @Test
    void onASimulatedDiskAFullDiskFailsTheWriteAndTheStoreReopensFromWhatIsThere() throws Exception {
        FaultyMemoryStorage disk = new FaultyMemoryStorage();
        Path dir = Path.of("/sim/snapshot");
        ManualExecutor w = new ManualExecutor();
        FileSnapshotStore s = new FileSnapshotStore(dir, disk, 3, w);
        s.offer(snapshot(10, 1000));
        w.runAll();
        disk.setFull(true);
        s.offer(snapshot(20, 2000));
        w.runAll();
        assertThat(s.writeFailures()).isEqualTo(1);
        assertThat(s.newestFirst()).as("the failed write is not listed").containsExactly(new SnapshotInfo(10, 1, 1000));
        disk.setFull(false);
        disk.writeAtomically(dir.resolve("00000000000000000030.snap.tmp"), new byte[] {1, 2, 3});
        FileSnapshotStore reopened = new FileSnapshotStore(dir, disk, 3, w);
        assertThat(reopened.newestFirst()).containsExactly(new SnapshotInfo(10, 1, 1000));
        assertThat(disk.list(dir)).as("the leftover of an interrupted write is gone")
            .containsExactly("00000000000000000010.snap");
        assertThat(reopened.read(new SnapshotInfo(10, 1, 1000)).toRaftSnapshot()).isEqualTo(snapshot(10, 1000));
    }
}
