package io.raftmq.commitlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.error.DiskFullException;
import io.raftmq.commitlog.error.DurableTimeoutException;
import io.raftmq.commitlog.error.RecordTooLargeException;
import io.raftmq.commitlog.error.StorageFailedException;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.io.FaultyMemoryStorage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;

/**
 * Goal: {@link CommitLog#appendCoalesced} gives every record of concurrent callers a unique, contiguous index in
 * queue order, returns only once its batch is durable (present after a simulated power loss), fills positions that
 * match what reads return, fails a whole group-commit cycle together with nothing of it kept, recovers after a full
 * disk, and handles timeouts without writing a cancelled batch or losing a waiter. Method: SYNC logs on
 * {@link FaultyMemoryStorage}, whose forces can be held so a test keeps the flush agent inside a force while it
 * queues the next cycle. Thread interleavings vary; every random choice comes from a printed seed.
 */
class CoalescedAppendTest {
    private static final long LONG_NS = TimeUnit.SECONDS.toNanos(30);
    private static final Path DIR = Path.of("/mem/coalesced");
    /** Calls per writer in the random-timeout test. */
    private static final int CALLS = 120;

    private static CommitLogConfig sync() {
        return TestLogs.small(DIR, FlushMode.SYNC).preallocateAheadBytes(0).build();
    }

    /** Body identifying (writer, sequence), of a size derived from both: content can be checked after reads. */
    private static ByteBuffer body(int writer, int seq) {
        int size = 1000 + (writer * 131 + seq * 17) % 2000;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(0, writer).putInt(4, seq);
        for (int i = 8; i < size; i++) {
            b.put(i, (byte) (writer + seq + i));
        }
        return b;
    }

    /** What one successful call appended: indices and positions per record, as the batch reported them. */
    private record Acked(int writer, int seq, long index, long position) {
    }

    @Test
    void concurrentCallersGetContiguousDurableIndicesThatSurviveACrash() throws Exception {
        long seed = Seeds.seed("coalesced.seed");
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        Map<Long, Acked> acked = new ConcurrentHashMap<>();
        int writers = 8;
        try (CommitLog log = CommitLog.open(sync(), null, storage)) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                Random rnd = new Random(seed + w);
                done.add(pool.submit(() -> appendUntilFailure(log, writer, rnd, acked, 150)));
            }
            awaitTrue(() -> acked.size() >= 300, "300 records acknowledged");
            storage.crash(new Random(seed), true);
            storage.setFailing(true);
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
        }
        storage.setFailing(false);
        try (CommitLog log = CommitLog.open(sync(), null, storage)) {
            assertThat(log.lastIndex()).as("every acknowledged record survived the crash")
                .isGreaterThanOrEqualTo(acked.keySet().stream().mapToLong(Long::longValue).max().orElseThrow());
            for (long i = 1; i <= log.lastIndex(); i++) {
                Acked a = acked.get(i);
                if (a != null) {
                    assertThat(log.position(i)).as("position of index %d", i).isEqualTo(a.position());
                    assertThat(readBody(log, i)).as("body of index %d", i).isEqualTo(body(a.writer(), a.seq()));
                }
            }
        }
    }

    /** Appends batches of 1-4 records until the log fails; records each acknowledged record; checks the batch. */
    private static void appendUntilFailure(CommitLog log, int writer, Random rnd, Map<Long, Acked> acked, int max) {
        AppendBatch b = new AppendBatch(4);
        int seq = 0;
        for (int call = 0; call < max; call++) {
            b.clear();
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                b.add(7, -1, (byte) 1, 1000, body(writer, seq + i));
            }
            try {
                log.appendCoalesced(b, LONG_NS);
            } catch (StorageFailedException e) {
                return;
            }
            for (int i = 0; i < n; i++) {
                assertThat(b.index(i)).as("indices contiguous within the batch").isEqualTo(b.index(0) + i);
                Acked prev = acked.put(b.index(i), new Acked(writer, seq + i, b.index(i), b.position(i)));
                assertThat(prev).as("index %d handed out twice", b.index(i)).isNull();
            }
            assertThat(b.endPosition()).isGreaterThan(b.position(n - 1));
            seq += n;
        }
    }

    @Test
    void mixedWithCallerIndexedAppendsEveryIndexHasOneOwnerAndPositionsMatchReads() throws Exception {
        int writers = 6;
        Map<Long, Acked> acked = new ConcurrentHashMap<>();
        Map<Long, Long> raftStyle = new ConcurrentHashMap<>();
        try (CommitLog log = CommitLog.open(sync(), null, new FaultyMemoryStorage())) {
            ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                Random rnd = new Random(w);
                done.add(pool.submit(() -> appendUntilFailure(log, writer, rnd, acked, 60)));
            }
            done.add(pool.submit(() -> appendCallerIndexed(log, raftStyle, 40)));
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(log.lastIndex()).isEqualTo(acked.size() + raftStyle.size());
            for (long i = 1; i <= log.lastIndex(); i++) {
                Acked a = acked.get(i);
                if (a == null) {
                    assertThat(raftStyle).as("index %d has an owner", i).containsKey(i);
                    assertThat(log.position(i)).isEqualTo(raftStyle.get(i));
                    continue;
                }
                assertThat(raftStyle).as("index %d has two owners", i).doesNotContainKey(i);
                assertThat(log.position(i)).isEqualTo(a.position());
                assertThat(readBody(log, i)).isEqualTo(body(a.writer(), a.seq()));
            }
            assertThat(log.durablePosition()).isEqualTo(log.endPosition());
        }
    }

    /** {@link CommitLog#append} with lastIndex() + 1, retried when a coalesced cycle took that index first. */
    private static void appendCallerIndexed(CommitLog log, Map<Long, Long> positions, int count) {
        for (int n = 0; n < count; ) {
            long index = log.lastIndex() + 1;
            try {
                positions.put(index, TestLogs.appendOne(log, 2, index, TestLogs.body("raft " + index)));
                n++;
            } catch (IllegalArgumentException e) {
                assertThat(e).hasMessageContaining("lastIndex + 1");
            }
        }
    }

    @Test
    void aFailedWriteFailsTheWholeCycleAndLeavesNoTrace() throws Exception {
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (CommitLog log = CommitLog.open(sync(), null, storage)) {
            storage.setForceBlocked(true);
            Future<AppendBatch> first = pool.submit(() -> coalesced(log, 0, 0));
            awaitTrue(() -> storage.forcesWaiting() > 0, "agent inside the first cycle's force");
            List<Future<AppendBatch>> cycle2 = new ArrayList<>();
            for (int w = 1; w <= 3; w++) {
                int writer = w;
                cycle2.add(pool.submit(() -> coalesced(log, writer, 0)));
            }
            awaitTrue(() -> log.coalescedQueued() == 3, "three appends queued behind the force");
            storage.setFull(true);
            long endBefore = log.endPosition();
            storage.setForceBlocked(false);
            assertThat(first.get(30, TimeUnit.SECONDS).index(0)).isEqualTo(1);
            for (Future<AppendBatch> f : cycle2) {
                assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(DiskFullException.class);
            }
            assertThat(log.lastIndex()).as("nothing of the failed cycle stays").isEqualTo(1);
            assertThat(log.endPosition()).isEqualTo(endBefore);
            storage.setFull(false);
            AppendBatch again = coalesced(log, 4, 0);
            assertThat(again.index(0)).isEqualTo(2);
            assertThat(again.position(0)).as("retry lands where the failed cycle would have").isEqualTo(endBefore);
        } finally {
            pool.shutdownNow();
        }
        try (CommitLog log = CommitLog.open(sync(), null, storage)) {
            assertThat(log.lastIndex()).isEqualTo(2);
            assertThat(readBody(log, 2)).isEqualTo(body(4, 0));
        }
    }

    @Test
    void diskFullThenSpaceReturns() {
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        try (CommitLog log = CommitLog.open(sync(), null, storage)) {
            for (int i = 0; i < 5; i++) {
                coalesced(log, 0, i);
            }
            storage.setFull(true);
            int seq = 5;
            while (true) {
                long before = log.lastIndex();
                try {
                    coalesced(log, 0, seq);
                } catch (DiskFullException e) {
                    assertThat(log.lastIndex()).as("failed append left no trace").isEqualTo(before);
                    break;
                }
                seq++;
                assertThat(seq).as("disk never ran full").isLessThan(500);
            }
            long failedAt = log.endPosition();
            storage.setFull(false);
            AppendBatch b = coalesced(log, 0, seq);
            assertThat(b.position(0)).isEqualTo(failedAt);
            assertThat(b.index(0)).isEqualTo(seq + 1L);
        }
    }

    @Test
    void timeoutWhileQueuedCancelsAndTimeoutWhileClaimedWaitsForTheLog() throws Exception {
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (CommitLog log = CommitLog.open(sync(), null, storage)) {
            storage.setForceBlocked(true);
            AppendBatch claimed = new AppendBatch(1).add(1, 0, (byte) 1, 0, body(0, 0));
            Future<?> first = pool.submit(() -> log.appendCoalesced(claimed, TimeUnit.SECONDS.toNanos(1)));
            assertThatThrownBy(() -> first.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(
                DurableTimeoutException.class).cause().hasMessageContaining("stays in flight");
            assertThat(claimed.inFlight()).isTrue();
            assertThatThrownBy(claimed::clear).isInstanceOf(IllegalStateException.class);

            AppendBatch queued = new AppendBatch(1).add(1, 0, (byte) 1, 0, body(1, 0));
            assertThatThrownBy(() -> log.appendCoalesced(queued, TimeUnit.MILLISECONDS.toNanos(20)))
                .isInstanceOf(DurableTimeoutException.class).hasMessageContaining("nothing was written");
            assertThat(queued.inFlight()).isFalse();
            queued.clear();
            queued.add(1, 0, (byte) 1, 0, body(1, 1));
            Future<?> resubmit = pool.submit(() -> log.appendCoalesced(queued, LONG_NS));

            storage.setForceBlocked(false);
            resubmit.get(30, TimeUnit.SECONDS);
            awaitTrue(() -> !claimed.inFlight(), "claimed batch completed");
            assertThat(claimed.index(0)).isEqualTo(1);
            assertThat(queued.index(0)).as("the cancelled submit was never written").isEqualTo(2);
            assertThat(log.lastIndex()).isEqualTo(2);
            assertThat(readBody(log, 2)).isEqualTo(body(1, 1));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void randomTimeoutsNeverLoseAWaiterNorWriteACancelledBatch() throws Exception {
        long seed = Seeds.seed("coalesced.timeouts.seed");
        int writers = 12;
        Map<Long, Acked> acked = new ConcurrentHashMap<>();
        Map<Long, Boolean> unknown = new ConcurrentHashMap<>();
        try (CommitLog log = CommitLog.open(sync(), null, new FaultyMemoryStorage())) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                Random rnd = new Random(seed + w);
                done.add(pool.submit(() -> appendWithRandomTimeouts(log, writer, rnd, acked, unknown)));
            }
            for (Future<?> f : done) {
                f.get(90, TimeUnit.SECONDS);
            }
            pool.shutdown();
            ByteBuffer dst = ByteBuffer.allocate(8192);
            for (long i = 1; i <= log.lastIndex(); i++) {
                dst.clear();
                log.entries(i, i + 1, dst);
                byte[] got = TestLogs.decode(dst).get(0).body();
                ByteBuffer g = ByteBuffer.wrap(got);
                long key = ((long) g.getInt(0) << 32) | g.getInt(4);
                Acked a = acked.get(i);
                if (a != null) {
                    assertThat(ByteBuffer.wrap(got)).isEqualTo(body(a.writer(), a.seq()));
                } else {
                    assertThat(unknown).as("index %d holds a record nobody was told about", i).containsKey(key);
                }
            }
            assertThat(log.lastIndex()).isGreaterThanOrEqualTo(acked.size());
            System.out.println("random timeouts: acked=" + acked.size() + " in flight at timeout=" + unknown.size()
                + " cancelled=" + (writers * CALLS - acked.size() - unknown.size()));
        }
    }

    private static void appendWithRandomTimeouts(CommitLog log, int writer, Random rnd, Map<Long, Acked> acked,
        Map<Long, Boolean> unknown) {
        AppendBatch b = new AppendBatch(1);
        for (int seq = 0; seq < CALLS; seq++) {
            long timeoutNs = TimeUnit.MICROSECONDS.toNanos(20 + rnd.nextInt(3000));
            b.clear();
            b.add(1, 0, (byte) 1, 0, body(writer, seq));
            try {
                log.appendCoalesced(b, timeoutNs);
                Acked prev = acked.put(b.index(0), new Acked(writer, seq, b.index(0), b.position(0)));
                assertThat(prev).as("index %d handed out twice", b.index(0)).isNull();
            } catch (DurableTimeoutException e) {
                if (!e.getMessage().contains("nothing was written")) {
                    unknown.put(((long) writer << 32) | seq, true);
                    awaitTrue(() -> !b.inFlight(), "timed-out batch completed");
                }
            }
        }
    }

    @Test
    void asyncAndManualModesAppendDirectlyWithAssignedIndices() {
        for (FlushMode mode : new FlushMode[] {FlushMode.ASYNC, FlushMode.MANUAL}) {
            Path dir = Path.of("/mem/" + mode);
            try (CommitLog log = CommitLog.open(TestLogs.small(dir, mode).build(), null, new FaultyMemoryStorage())) {
                TestLogs.appendOne(log, 1, 1, TestLogs.body("first"));
                AppendBatch b = new AppendBatch(3);
                for (int i = 0; i < 3; i++) {
                    b.add(1, 99, (byte) 1, 0, body(0, i));
                }
                log.appendCoalesced(b, LONG_NS);
                assertThat(b.index(0)).isEqualTo(2);
                assertThat(b.index(2)).isEqualTo(4);
                assertThat(log.lastIndex()).isEqualTo(4);
                assertThat(log.position(3)).isEqualTo(b.position(1));
                assertThat(b.endPosition()).isEqualTo(log.endPosition());
                assertThat(log.coalescedQueued()).isZero();
            }
        }
    }

    @Test
    void rejectsBadCalls() {
        try (CommitLog log = CommitLog.open(sync(), null, new FaultyMemoryStorage())) {
            assertThatThrownBy(() -> log.appendCoalesced(new AppendBatch(1), LONG_NS))
                .isInstanceOf(IllegalArgumentException.class);
            AppendBatch b = new AppendBatch(1).add(1, 0, (byte) 1, 0, body(0, 0));
            assertThatThrownBy(() -> log.appendCoalesced(b, 0)).isInstanceOf(IllegalArgumentException.class);
            AppendBatch big = new AppendBatch(1).add(1, 0, (byte) 1, 0, ByteBuffer.allocate(9000));
            assertThatThrownBy(() -> log.appendCoalesced(big, LONG_NS)).isInstanceOf(RecordTooLargeException.class);
            assertThat(log.lastIndex()).isZero();
        }
    }

    private static AppendBatch coalesced(CommitLog log, int writer, int seq) {
        AppendBatch b = new AppendBatch(1).add(1, 0, (byte) 1, 0, body(writer, seq));
        log.appendCoalesced(b, LONG_NS);
        return b;
    }

    private static ByteBuffer readBody(CommitLog log, long index) {
        ByteBuffer dst = ByteBuffer.allocate(8192);
        assertThat(log.entries(index, index + 1, dst)).isEqualTo(1);
        return ByteBuffer.wrap(TestLogs.decode(dst).get(0).body());
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        Awaits.await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
            .until(condition::getAsBoolean);
    }
}
