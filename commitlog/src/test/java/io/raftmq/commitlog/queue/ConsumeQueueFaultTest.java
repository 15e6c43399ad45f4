package io.raftmq.commitlog.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.io.FaultyMemoryStorage;
import io.raftmq.commitlog.io.NoSpaceException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Goal: a ConsumeQueue write that fails through the storage port surfaces as the port's typed error, corrupts nothing,
 * and after a crash the reopened queue keeps every forced unit exactly and only structurally valid units after them (a
 * torn unit may survive with damaged bytes: the dispatcher cuts every queue back to its checkpoint, whose units were
 * forced, and checks the resulting max offsets). Method: the queue runs on {@link FaultyMemoryStorage} with 4-unit
 * segments; the storage fails the queue's files (device error) or runs out of space; then it drops unforced bytes,
 * keeping a random torn prefix, and the queue is reopened and compared unit by unit with the list of appended units.
 * The randomized case is a jqwik property: a failing seed is printed and reproduces the run.
 */
class ConsumeQueueFaultTest {
    static final Path DIR = Path.of("/mem/consumequeue/T/0");

    record Unit(long physical, int size, long tags) {
    }

    @Test
    void aFailedWriteIsADeviceErrorAndReopenKeepsTheForcedUnits() throws IOException {
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        List<Unit> appended = new ArrayList<>();
        ConsumeQueue q = ConsumeQueue.open(storage, DIR, "T", 0, 4);
        try {
            appendUnits(q, appended, 6, new Random(1));
            q.flush();
            appendUnits(q, appended, 1, new Random(2));
            storage.setFailingPaths(p -> p.startsWith(DIR));
            assertThatThrownBy(() -> q.append(7, appended.get(6).physical + 5, 10, 0))
                    .isExactlyInstanceOf(IOException.class)
                    .hasMessageContaining(DIR.resolve(QueueSegments.fileName(4)).toString());
            assertThat(q.maxOffset()).isEqualTo(7); // the failed unit was never published to readers
            assertMatches(q, appended);
        } finally {
            q.close();
        }
        storage.setFailingPaths(p -> false);
        storage.crash(new Random(3), true);
        try (ConsumeQueue reopened = ConsumeQueue.open(storage, DIR, "T", 0, 4)) {
            assertThat(reopened.maxOffset()).isBetween(6L, 7L);
            assertForcedPrefix(reopened, appended, 6);
            reopened.truncateTo(6);
            appended.subList(6, appended.size()).clear();
            appendUnits(reopened, appended, 3, new Random(6));
            assertMatches(reopened, appended);
        }
    }

    @Test
    void aFullDeviceFailsTheNextSegmentWithNoSpaceException() throws IOException {
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        List<Unit> appended = new ArrayList<>();
        try (ConsumeQueue q = ConsumeQueue.open(storage, DIR, "T", 0, 4)) {
            appendUnits(q, appended, 4, new Random(4));
            q.flush();
            storage.setFull(true);
            assertThatThrownBy(() -> q.append(4, appended.get(3).physical + 1, 10, 0))
                    .isInstanceOf(NoSpaceException.class);
            assertThat(q.maxOffset()).isEqualTo(4);
            assertMatches(q, appended);
        }
        storage.setFull(false);
        try (ConsumeQueue q = ConsumeQueue.open(storage, DIR, "T", 0, 4)) {
            assertThat(q.maxOffset()).isEqualTo(4);
            assertMatches(q, appended);
            appendUnits(q, appended, 3, new Random(5));
            assertMatches(q, appended);
        }
    }

    @Property(tries = 30)
    void crashesAfterFailedWritesLeaveAValidPrefix(@ForAll long seed) throws IOException {
        Random rnd = new Random(seed);
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        List<Unit> appended = new ArrayList<>();
        for (int round = 0; round < 8; round++) {
            long forced;
            try (ConsumeQueue q = ConsumeQueue.open(storage, DIR, "T", 0, 4)) {
                appended.subList((int) q.maxOffset(), appended.size()).clear();
                appendUnits(q, appended, rnd.nextInt(10), rnd);
                q.flush();
                forced = appended.size();
                int unforced = rnd.nextInt(6);
                for (int i = 0; i < unforced; i++) {
                    Unit u = next(appended, rnd);
                    q.stage(appended.size(), u.physical, u.size, u.tags);
                    appended.add(u);
                    if (rnd.nextBoolean()) {
                        q.commitStaged();
                    }
                }
                storage.setFailingPaths(p -> p.startsWith(DIR));
                if (unforced > 0) {
                    assertThatThrownBy(q::flush).isExactlyInstanceOf(IOException.class);
                }
            } finally {
                storage.setFailingPaths(p -> false);
            }
            storage.crash(rnd, true);
            try (ConsumeQueue q = ConsumeQueue.open(storage, DIR, "T", 0, 4)) {
                assertThat(q.maxOffset()).isBetween(forced, (long) appended.size());
                assertForcedPrefix(q, appended, forced);
                q.truncateTo(forced); // the dispatcher's cut back to its checkpoint, made durable by its next one
                q.flush();
                appended.subList((int) forced, appended.size()).clear();
                assertMatches(q, appended);
            }
        }
    }

    /** The next unit after the last appended one (physical offsets strictly increase); not yet added. */
    private static Unit next(List<Unit> appended, Random rnd) {
        long previous = appended.isEmpty() ? -1 : appended.get(appended.size() - 1).physical;
        return new Unit(previous + 1 + rnd.nextInt(300), 1 + rnd.nextInt(500), rnd.nextLong());
    }

    private static void appendUnits(ConsumeQueue q, List<Unit> appended, int count, Random rnd) throws IOException {
        for (int i = 0; i < count; i++) {
            Unit u = next(appended, rnd);
            q.append(appended.size(), u.physical, u.size, u.tags);
            appended.add(u);
        }
    }

    /** Units [0, forced) equal the appended ones; later readable units are strictly increasing and sized. */
    private static void assertForcedPrefix(ConsumeQueue q, List<Unit> appended, long forced) throws IOException {
        assertMatches(q, appended.subList(0, (int) forced), forced);
        ConsumeQueue.Unit u = new ConsumeQueue.Unit();
        long previous = forced == 0 ? -1 : appended.get((int) forced - 1).physical;
        for (long i = forced; i < q.maxOffset(); i++) {
            assertThat(q.read(i, u)).isTrue();
            assertThat(u.physicalOffset()).as("unit %d", i).isGreaterThan(previous);
            assertThat(u.size()).as("unit %d", i).isPositive();
            previous = u.physicalOffset();
        }
    }

    /** Every readable unit of {@code q} equals the appended unit at its offset, and there are no more. */
    private static void assertMatches(ConsumeQueue q, List<Unit> appended) throws IOException {
        assertThat(q.maxOffset()).isEqualTo(appended.size());
        assertMatches(q, appended, q.maxOffset());
    }

    /** Units [0, count) of {@code q} equal the appended units. */
    private static void assertMatches(ConsumeQueue q, List<Unit> appended, long count) throws IOException {
        assertThat(q.minOffset()).isZero();
        ConsumeQueue.Unit u = new ConsumeQueue.Unit();
        for (long i = 0; i < count; i++) {
            assertThat(q.read(i, u)).isTrue();
            Unit expected = appended.get((int) i);
            assertThat(u.physicalOffset()).as("unit %d", i).isEqualTo(expected.physical);
            assertThat(u.size()).as("unit %d", i).isEqualTo(expected.size);
            assertThat(u.tagsCode()).as("unit %d", i).isEqualTo(expected.tags);
        }
        assertThat(q.read(q.maxOffset(), u)).isFalse();
    }
}
