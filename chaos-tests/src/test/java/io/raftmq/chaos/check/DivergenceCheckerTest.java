package io.raftmq.chaos.check;

import io.raftmq.commitlog.store.AppendResult;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.store.StoreFixture;
import io.raftmq.raft.state.FileHardStateStore;
import io.raftmq.raft.state.HardState;
import io.raftmq.testsupport.Seeds;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the divergence checker finds a replica whose committed records or ConsumeQueue units differ from the others,
 * also when the difference is a flipped byte (the record then fails its crc), and ignores differences beyond the
 * common commit index; it never changes the files it reads. Method: real member directories written by the
 * commitlog module ({@link StoreFixture}: 64 KiB segments, so records roll over several segments and fillers; 4-unit
 * ConsumeQueue files) from seeded bodies, with the raft module's hard state file naming the commit index; then one
 * byte flipped, or a replica fed different bodies from some index on.
 */
class DivergenceCheckerTest {
    private static final int RECORDS = 400;
    private static final int COMMON = 200;
    /** Dispatched and checkpointed through this record only, in {@link #early}. */
    private static final int EARLY = 20;
    /**
     * Member images written once: the seeded bodies; the same first COMMON bodies then others; the seeded bodies
     * dispatched and checkpointed through record EARLY only (a member whose apply lags).
     */
    private static Path clean;
    private static Path divergent;
    private static Path early;

    @TempDir
    static Path images;
    @TempDir
    Path dir;

    @BeforeAll
    static void writeImages() throws IOException {
        long seed = Seeds.seed("divergence.seed", 7);
        List<ByteBuffer> bodies = StoreFixture.bodies(seed, RECORDS, 0);
        List<ByteBuffer> other = new ArrayList<>(bodies.subList(0, COMMON));
        other.addAll(StoreFixture.bodies(seed + 1, RECORDS - COMMON, 1_000));
        clean = image("clean", bodies);
        divergent = image("divergent", other);
        early = images.resolve("early");
        try (MessageStore s = MessageStore.open(StoreFixture.config(early.resolve("store")))) {
            StoreFixture.appendAll(s, bodies, 1, new AppendResult(64));
            s.commitLog().flush();
            s.dispatchUpTo(s.commitLog().position(EARLY + 1));
            s.checkpoint();
        }
    }

    /** A member directory holding {@code bodies} as records 1.., all dispatched and checkpointed. */
    private static Path image(String name, List<ByteBuffer> bodies) throws IOException {
        Path d = images.resolve(name);
        try (MessageStore s = MessageStore.open(StoreFixture.config(d.resolve("store")))) {
            StoreFixture.appendAll(s, bodies, 1, new AppendResult(64));
            s.commitLog().flush();
            s.dispatchUpTo(s.commitLog().endPosition());
            s.checkpoint();
        }
        return d;
    }

    /** A copy of {@code image} as member {@code name}, its raft hard state naming commit index {@code commit}. */
    private Path member(String name, Path image, long commit) throws IOException {
        Path d = dir.resolve(name);
        StoreFixture.copyTree(image, d);
        new FileHardStateStore(d.resolve("raft")).save(new HardState(1, 0, commit));
        return d;
    }

    private static CheckInput input(Path... members) {
        List<CheckInput.Replica> rs = new ArrayList<>();
        for (Path m : members) {
            rs.add(new CheckInput.Replica(m.getFileName().toString(), m));
        }
        return CheckInput.defaults().withReplicas(rs);
    }

    @Test
    void identicalReplicasPassAndTheFilesAreNotChanged() throws IOException {
        Path a = member("n0", clean, RECORDS);
        Path b = member("n1", clean, RECORDS);
        Path c = member("n2", clean, RECORDS - 10);
        String before = snapshot(a) + snapshot(b) + snapshot(c);

        DivergenceChecker.Result r = DivergenceChecker.check(input(a, b, c));

        assertThat(r.valid()).as(r.examples().toString()).isTrue();
        assertThat(r.fromIndex()).isEqualTo(1);
        assertThat(r.toIndex()).isEqualTo(RECORDS - 10);
        assertThat(r.records()).isEqualTo(RECORDS - 10);
        assertThat(r.units()).isGreaterThan(RECORDS / 2);
        assertThat(segments(a)).as("records span several segments").hasSizeGreaterThan(2);
        assertThat(snapshot(a) + snapshot(b) + snapshot(c)).isEqualTo(before);
    }

    @Test
    void aFlippedByteInACommittedRecordIsDamage() throws IOException {
        Path a = member("n0", clean, RECORDS);
        Path b = member("n1", clean, RECORDS);
        Path second = segments(b).get(1);
        flip(second, 200);

        DivergenceChecker.Result r = DivergenceChecker.check(input(a, b));

        assertThat(r.valid()).isFalse();
        assertThat(r.damaged()).isEqualTo(1);
        assertThat(r.unitDiffs()).isZero();
        assertThat(r.examples()).anyMatch(e -> e.startsWith("n1: valid log ends at index ")
            && e.contains("below the common commit index " + RECORDS) && e.contains("fails its check"));
    }

    @Test
    void replicasThatDivergeInsideTheCommittedRangeAreFlaggedRecordAndUnit() throws IOException {
        Path a = member("n0", clean, RECORDS);
        Path b = member("n1", divergent, RECORDS);

        DivergenceChecker.Result r = DivergenceChecker.check(input(a, b));

        assertThat(r.valid()).isFalse();
        assertThat(r.damaged()).isZero();
        assertThat(r.recordDiffs()).isGreaterThan(0).isLessThanOrEqualTo(RECORDS - COMMON);
        assertThat(r.unitDiffs()).isGreaterThan(0);
        assertThat(r.examples().get(0)).startsWith("index " + (COMMON + 1) + ": n1 differs from n0 at record byte ");
    }

    @Test
    void differencesBeyondTheCommonCommitIndexAreIgnored() throws IOException {
        Path a = member("n0", clean, RECORDS);
        Path b = member("n1", divergent, COMMON);

        DivergenceChecker.Result r = DivergenceChecker.check(input(a, b));

        assertThat(r.valid()).as(r.examples().toString()).isTrue();
        assertThat(r.toIndex()).isEqualTo(COMMON);
        assertThat(r.units()).isGreaterThan(0);
    }

    @Test
    void aFlippedConsumeQueueUnitIsAUnitDifference() throws IOException {
        Path a = member("n0", clean, RECORDS);
        Path b = member("n1", clean, RECORDS);
        Path unitFile;
        try (Stream<Path> w = Files.walk(b.resolve("store/derived/consumequeue"))) {
            unitFile = w.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
        }
        flip(unitFile, 12 + 3);

        DivergenceChecker.Result r = DivergenceChecker.check(input(a, b));

        assertThat(r.valid()).isFalse();
        assertThat(r.recordDiffs()).isZero();
        assertThat(r.unitDiffs()).isEqualTo(1);
        assertThat(r.examples()).anyMatch(e -> e.startsWith("consumequeue ") && e.contains(" offset 0: n0 phys="));
    }

    @Test
    void aUnitBeyondEveryCheckpointThatPointsElsewhereIsAUnitDifference() throws IOException {
        Path a = member("n0", clean, RECORDS);
        Path b = member("n1", clean, RECORDS);
        Path checkpoint = early.resolve("store/derived/dispatch.checkpoint");
        Files.copy(checkpoint, a.resolve("store/derived/dispatch.checkpoint"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(checkpoint, b.resolve("store/derived/dispatch.checkpoint"), StandardCopyOption.REPLACE_EXISTING);
        Path lastUnitFile;
        try (Stream<Path> w = Files.walk(b.resolve("store/derived/consumequeue"))) {
            lastUnitFile = w.filter(Files::isRegularFile).sorted().reduce((x, y) -> y).orElseThrow();
        }
        flip(lastUnitFile, 12 + 3); // the tags code of the file's first unit, far beyond both checkpoints

        DivergenceChecker.Result r = DivergenceChecker.check(input(a, b));

        assertThat(r.valid()).isFalse();
        assertThat(r.units()).isGreaterThan(RECORDS / 2);
        assertThat(r.unitDiffs()).as(r.examples().toString()).isEqualTo(1);
    }

    @Test
    void unitsAMemberHasNotDispatchedBeyondItsCheckpointAreNoDifference() throws IOException {
        Path a = member("n0", clean, RECORDS);
        Path b = member("n1", early, RECORDS);

        DivergenceChecker.Result r = DivergenceChecker.check(input(a, b));
        DivergenceChecker.Result reversed = DivergenceChecker.check(input(b, a));

        assertThat(r.valid()).as(r.examples().toString()).isTrue();
        assertThat(reversed.valid()).as(reversed.examples().toString()).isTrue();
        assertThat(r.units()).isGreaterThan(RECORDS / 2);
        assertThat(reversed.units()).isPositive().isLessThan(r.units() / 4);
    }

    @Test
    void withoutAHardStateTheDispatchCheckpointBoundsTheRange() throws IOException {
        Path a = member("n0", clean, RECORDS);
        Path b = member("n1", clean, RECORDS);
        Files.delete(b.resolve("raft/hardstate"));

        DivergenceChecker.Result r = DivergenceChecker.check(input(a, b));

        assertThat(r.valid()).isTrue();
        assertThat(r.toIndex()).isEqualTo(RECORDS);
        assertThat(r.examples()).anyMatch(e -> e.startsWith("n1: no valid raft/hardstate"));
        assertThat(DivergenceChecker.check(input(a)).skipped()).isTrue();
    }

    @Test
    void aMissingDirectoryMakesTheCheckFailNamingIt() {
        CheckReport r = Checkers.checkAll(new History(), input(dir.resolve("gone"), dir.resolve("gone2")));

        assertThat(r.violations()).containsExactly("divergence");
        assertThat(r.get("divergence").examples().get(0)).contains("gone").contains("no commitlog directory");
    }

    private static List<Path> segments(Path member) throws IOException {
        try (Stream<Path> s = Files.list(member.resolve("store/commitlog/log"))) {
            return s.sorted().toList();
        }
    }

    private static void flip(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
            ch.write(b, at);
        }
    }

    /** Every file under a member with its size and modification time and a hash of its bytes. */
    private static String snapshot(Path member) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> w = Files.walk(member)) {
            for (Path p : w.filter(Files::isRegularFile).sorted().toList()) {
                sb.append(member.relativize(p)).append(' ').append(Files.size(p)).append(' ')
                    .append(Files.getLastModifiedTime(p)).append(' ')
                    .append(Arrays.hashCode(Files.readAllBytes(p))).append('\n');
            }
        }
        return sb.toString();
    }
}
