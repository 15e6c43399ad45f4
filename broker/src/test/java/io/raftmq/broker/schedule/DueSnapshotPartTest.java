package io.raftmq.broker.schedule;

import io.raftmq.broker.snapshot.SnapshotPart.RestoreMode;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the "timers" snapshot part is exactly the bytes drawn in {@link DueSnapshotPart} (golden hex by hand), and
 * a member that restores it at start over the bucket files it left behind (entries appended after the snapshot
 * included, a bucket dropped after it missing) and replays the entries after the snapshot ends in the same state,
 * index files included, as the member that applied everything; an installed snapshot wipes the files; a bucket
 * file shorter than recorded makes the snapshot unusable with a message naming the file.
 */
class DueSnapshotPartTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void goldenBytes(@TempDir Path dir) throws Exception {
        DueIndex index = new DueIndex(dir);
        DueState state = new DueState(DueHarness.LEVELS, index, phys -> DueTime.NONE);
        TreeMap<Long, Long> done = new TreeMap<>(Map.of(0x500L, 0x600L));
        state.restore(new DueState.Image(0x10, 0x20, 3, 2, done, List.of(new DueState.Late(0x700, 0x40, 0x800))));
        index.append(120_001, 0x900, 0x50);
        index.append(120_002, 0xa00, 0x50);
        String hex = HEX.formatHex(new DueSnapshotPart(state, index).save());
        assertThat(hex).isEqualTo("01" + "0000000000000010" + "0000000000000020" + "0000000000000003"
            + "0000000000000002"
            + "00000001" + "0000000000000500" + "0000000000000600"
            + "00000001" + "0000000000000700" + "00000040" + "0000000000000800"
            + "00000001" + "000000000001d4c0" + "00000002" + "0000000000000900");
        DueSnapshotPart.Decoded d = DueSnapshotPart.decode(HEX.parseHex(hex));
        assertThat(d.buckets()).containsExactly(new DueIndex.Bucket(120_000, 2, 0x900));
        assertThat(d.state().late()).containsExactly(new DueState.Late(0x700, 0x40, 0x800));
        assertThat(d.state().doneMarks()).isEqualTo(done);
        assertThat(index.lowestOffset()).isEqualTo(0x900);
        assertThat(state.lowestLateOffset()).isEqualTo(0x700);
        assertThatThrownBy(() -> DueSnapshotPart.decode(HEX.parseHex(hex.substring(0, hex.length() - 2))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timers");
    }

    @Test
    void restoreAtStartThenReplayEqualsTheFullHistory(@TempDir Path dir) throws Exception {
        DueHarness a = new DueHarness(dir.resolve("a"));
        a.parkTimer(T0 + 2000, T0, "T", 0, "x");
        long b = a.parkLevel(3, T0, "T", 1, "b");
        a.parkTimer(T0 + 90_000, T0, "T", 0, "far");
        a.state.apply(1, TimerProgressCodec.encode(T0 + 2500, a.state.parked()));
        byte[] snapshot = new DueSnapshotPart(a.state, a.index).save();
        long lastAtSnapshot = a.log.lastKey();

        Map<String, String> p = MessageProperties.decode(a.read(b).properties());
        p.remove(DueTime.DELAY);
        a.append(DueHarness.draft("T", 1, T0 + 3000, p, "copy-b").preparedTransactionOffset(b));
        a.parkTimer(T0 + 2100, T0 + 10, "T", 0, "late");
        a.parkTimer(T0 + 95_000, T0 + 20, "T", 0, "far2");
        a.parkTimer(T0 + 200_000, T0 + 30, "T", 0, "new-bucket");
        byte[] progress = TimerProgressCodec.encode(T0 + 61_000, a.state.parked());
        a.state.apply(2, progress); // drops the first bucket's file: it is missing at the restart

        Path r = dir.resolve("r");
        copyFiles(dir.resolve("a"), r); // what the member left on disk when it stopped
        DueIndex index = DueIndex.openKept(r);
        DueState state = new DueState(DueHarness.LEVELS, index, phys -> {
            StoredMessage m = a.read(phys);
            return DueTime.dueMs(m.topic(), m.queueId(), m.storeTimestamp(), m.properties(), DueHarness.LEVELS);
        });
        new DueSnapshotPart(state, index).load(snapshot, RestoreMode.START);
        for (Map.Entry<Long, byte[]> e : a.log.tailMap(lastAtSnapshot, false).entrySet()) {
            state.onApplied(0, e.getKey(), new StoredMessage().wrap(ByteBuffer.wrap(e.getValue().clone()), 0));
        }
        state.apply(0, progress);

        assertThat(state.image()).usingRecursiveComparison().isEqualTo(a.state.image());
        assertThat(index.bucketList()).isEqualTo(a.index.bucketList());
        for (DueIndex.Bucket bucket : a.index.bucketList()) {
            assertSameSlice(index.load(bucket.bucketMs()), a.index.load(bucket.bucketMs()));
        }
        assertThat(files(r)).isEqualTo(files(dir.resolve("a")));
    }

    private static void assertSameSlice(DueIndex.Slice x, DueIndex.Slice y) {
        assertThat(x.size()).isEqualTo(y.size());
        for (int i = 0; i < x.size(); i++) {
            assertThat(x.dueMs(i)).isEqualTo(y.dueMs(i));
            assertThat(x.physicalOffset(i)).isEqualTo(y.physicalOffset(i));
            assertThat(x.messageSize(i)).isEqualTo(y.messageSize(i));
        }
    }

    @Test
    void installAndAbsenceWipeTheFilesAndAShortFileIsRefused(@TempDir Path dir) throws Exception {
        DueHarness a = new DueHarness(dir.resolve("a"));
        a.parkTimer(T0 + 2000, T0, "T", 0, "x");
        a.parkTimer(T0 + 90_000, T0, "T", 0, "far");
        byte[] snapshot = new DueSnapshotPart(a.state, a.index).save();

        DueIndex index = DueIndex.openKept(dir.resolve("a"));
        DueState state = new DueState(DueHarness.LEVELS, index, phys -> DueTime.NONE);
        DueSnapshotPart part = new DueSnapshotPart(state, index);
        part.load(snapshot, RestoreMode.INSTALL);
        assertThat(files(dir.resolve("a"))).isEmpty();
        assertThat(index.bucketList()).isEmpty();
        assertThat(state.parked()).isEqualTo(2);

        DueHarness c = new DueHarness(dir.resolve("c"));
        c.parkTimer(T0 + 2000, T0, "T", 0, "x");
        byte[] one = new DueSnapshotPart(c.state, c.index).save();
        Path bucketFile = dir.resolve("c").resolve(Long.toString(DueIndex.bucketOf(T0 + 2000)));
        Files.write(bucketFile, new byte[DueIndex.ENTRY_BYTES - 1]);
        DueIndex cut = DueIndex.openKept(dir.resolve("c"));
        DueSnapshotPart cPart = new DueSnapshotPart(new DueState(DueHarness.LEVELS, cut, phys -> DueTime.NONE), cut);
        assertThatThrownBy(() -> cPart.load(one, RestoreMode.START)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(bucketFile.toString());
        cPart.loadAbsent(RestoreMode.START);
        assertThat(files(dir.resolve("c"))).isEmpty();
        assertThat(cut.bucketList()).isEmpty();
    }

    private static void copyFiles(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static Map<String, Long> files(Path dir) throws Exception {
        Map<String, Long> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) {
                m.put(f.getFileName().toString(), Files.size(f));
            }
        }
        return m;
    }
}
