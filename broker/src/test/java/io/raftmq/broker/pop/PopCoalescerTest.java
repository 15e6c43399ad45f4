package io.raftmq.broker.pop;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.raft.driver.NotLeaderException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: {@link PopCoalescer} proposes a lone ack at once, folds the acks that arrive while an entry is in flight into
 * the next entry (bounded by count and bytes), completes each ack only once the entry holding it is applied, fails
 * exactly the acks of a failed proposal (a caller's own timeout fails no other), and under many concurrent acks
 * (the log held meanwhile) proposes one entry per full batch while the applied state is what the acks one by one
 * would have made (a stale handle among them changes nothing and fails nothing).
 */
class PopCoalescerTest {
    /** A log whose proposals the test completes by hand; it applies an entry to {@link #state} when it completes it. */
    private static final class HeldLog implements MetadataProposer {
        final List<byte[]> payloads = new ArrayList<>();
        final List<CompletableFuture<Void>> futures = new ArrayList<>();
        final PopState state = new PopState();

        @Override
        public boolean isLeader() {
            return true;
        }

        @Override
        public synchronized CompletableFuture<Void> propose(byte type, byte[] payload) {
            assertThat(type).isEqualTo(EntryType.POP);
            CompletableFuture<Void> f = new CompletableFuture<>();
            payloads.add(payload);
            futures.add(f);
            return f;
        }

        void apply(int i) {
            CompletableFuture<Void> f;
            synchronized (this) {
                state.apply(0, payloads.get(i));
                f = futures.get(i);
            }
            f.complete(null);
        }

        synchronized int size() {
            return payloads.size();
        }

        synchronized PopEntry entry(int i) {
            return PopCodec.decode(payloads.get(i));
        }
    }

    private static PopEntry.Ack ack(long offset) {
        return new PopEntry.Ack("g", "t", 0, 1000, List.of(offset));
    }

    @Test
    void aLoneAckGoesAtOnceAndLaterOnesJoinTheNextEntry() {
        HeldLog log = new HeldLog();
        PopCoalescer c = new PopCoalescer(log, 256, 64 * 1024);
        CompletableFuture<Void> first = c.submit(ack(0));
        assertThat(log.size()).isEqualTo(1);
        assertThat(log.entry(0)).isEqualTo(ack(0)); // a batch of one is the plain ACK op
        List<CompletableFuture<Void>> joined = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            joined.add(c.submit(ack(i)));
        }
        joined.add(c.submit(new PopEntry.Change("g", "t", 0, 9, 1000, 2000, 5000)));
        assertThat(log.size()).as("nothing proposed while an entry is in flight").isEqualTo(1);
        assertThat(first).isNotDone();
        log.apply(0);
        assertThat(first).isCompleted();
        assertThat(joined).noneMatch(CompletableFuture::isDone);
        assertThat(log.size()).isEqualTo(2);
        PopEntry.Batch b = (PopEntry.Batch) log.entry(1);
        assertThat(b.items()).hasSize(6).startsWith(ack(1), ack(2), ack(3), ack(4), ack(5));
        log.apply(1);
        assertThat(joined).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(c.submit(ack(7))).isNotDone();
        assertThat(log.size()).as("nothing in flight: the next ack goes at once").isEqualTo(3);
    }

    @Test
    void fullBatchesGoAtOnceWithinTheBounds() {
        HeldLog log = new HeldLog();
        PopCoalescer c = new PopCoalescer(log, 4, 64 * 1024);
        c.submit(ack(0));
        for (int i = 1; i <= 10; i++) {
            c.submit(ack(i));
        }
        assertThat(log.size()).as("the lone ack, then two full batches of 4; 2 acks wait").isEqualTo(3);
        assertThat(((PopEntry.Batch) log.entry(1)).items()).hasSize(4);
        assertThat(((PopEntry.Batch) log.entry(2)).items()).hasSize(4);
        log.apply(1);
        log.apply(2);
        assertThat(log.size()).as("only the chained entry brings the rest").isEqualTo(3);
        log.apply(0);
        assertThat(log.size()).isEqualTo(4);
        assertThat(((PopEntry.Batch) log.entry(3)).items()).containsExactly(ack(9), ack(10));
        int oneAck = PopCodec.encode(ack(0)).length - 1;
        HeldLog small = new HeldLog();
        PopCoalescer bytes = new PopCoalescer(small, 256, 4 + 3 * oneAck);
        for (int i = 0; i <= 7; i++) {
            bytes.submit(ack(i));
        }
        for (int i = 0; i < small.size(); i++) {
            assertThat(small.payloads.get(i).length).isLessThanOrEqualTo(4 + 3 * oneAck);
        }
        assertThat(small.size()).as("1 alone, then 3 + 3 by bytes; 1 waits").isEqualTo(3);
    }

    @Test
    void aFailedProposalFailsExactlyItsAcks() {
        HeldLog log = new HeldLog();
        PopCoalescer c = new PopCoalescer(log, 256, 64 * 1024);
        CompletableFuture<Void> first = c.submit(ack(0));
        CompletableFuture<Void> a = c.submit(ack(1));
        CompletableFuture<Void> b = c.submit(ack(2));
        log.futures.get(0).completeExceptionally(new NotLeaderException(2));
        assertThat(first).isCompletedExceptionally();
        assertThat(log.size()).isEqualTo(2);
        CompletableFuture<Void> later = c.submit(ack(3));
        log.futures.get(1).completeExceptionally(new NotLeaderException(2));
        assertThat(a).isCompletedExceptionally();
        assertThat(b).isCompletedExceptionally();
        assertThat(b.handle((v, t) -> t).join()).hasRootCauseInstanceOf(NotLeaderException.class);
        assertThat(later).isNotDone();
        log.apply(2);
        assertThat(later).isCompleted();
        assertThat(later).isNotCompletedExceptionally();
    }

    @Test
    void aCallersTimeoutLeavesTheOthersOfItsBatch() {
        HeldLog log = new HeldLog();
        PopCoalescer c = new PopCoalescer(log, 256, 64 * 1024);
        c.submit(ack(0));
        CompletableFuture<Void> a = c.submit(ack(1));
        CompletableFuture<Void> b = c.submit(ack(2));
        a.completeExceptionally(new java.util.concurrent.TimeoutException());
        log.apply(0);
        log.apply(1);
        assertThat(b).isCompleted();
        assertThat(b).isNotCompletedExceptionally();
    }

    @Test
    void manyConcurrentAcksTakeFewerEntriesAndAllAreAnswered() throws Exception {
        long seed = Long.getLong("pop.seed", System.nanoTime());
        System.out.println("PopCoalescerTest seed " + seed + " (replay: -Dpop.seed=" + seed + ")");
        Random rnd = new Random(seed);
        PopState expected = new PopState();
        PopState applied = new PopState();
        int n = 400 + rnd.nextInt(400);
        PopEntry.Pop pop = new PopEntry.Pop("g", "t", 0, 1000, 60_000, 1, 0, n, range(n));
        expected.apply(pop);
        applied.apply(pop);
        ExecutorService raft = Executors.newSingleThreadExecutor();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<byte[]> entries = new ArrayList<>();
            MetadataProposer log = new MetadataProposer() {
                @Override
                public boolean isLeader() {
                    return true;
                }

                @Override
                public CompletableFuture<Void> propose(byte type, byte[] payload) {
                    return CompletableFuture.runAsync(() -> {
                        entries.add(payload);
                        applied.apply(0, payload);
                    }, raft);
                }
            };
            PopCoalescer c = new PopCoalescer(log, 16, 64 * 1024);
            List<Long> order = range(n);
            java.util.Collections.shuffle(order, rnd);
            List<CompletableFuture<Void>> answered = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            List<List<Long>> parts = List.of(order.subList(0, n / 4), order.subList(n / 4, n / 2),
                order.subList(n / 2, 3 * n / 4), order.subList(3 * n / 4, n));
            List<CompletableFuture<List<CompletableFuture<Void>>>> senders = new ArrayList<>();
            for (List<Long> part : parts) {
                senders.add(CompletableFuture.supplyAsync(() -> {
                    await(go);
                    List<CompletableFuture<Void>> mine = new ArrayList<>();
                    for (long o : part) {
                        if (o % 7 == 3) { // a stale handle: applies to nothing, fails nothing
                            mine.add(c.submit(new PopEntry.Ack("g", "t", 0, 999, List.of(o))));
                        }
                        mine.add(c.submit(ack(o)));
                    }
                    return mine;
                }, clients));
            }
            CountDownLatch submitted = new CountDownLatch(1);
            raft.execute(() -> await(submitted)); // the log applies nothing until every ack is submitted
            go.countDown();
            for (var s : senders) {
                answered.addAll(s.get(30, TimeUnit.SECONDS));
            }
            submitted.countDown();
            CompletableFuture.allOf(answered.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            for (long o : order) {
                expected.apply(ack(o));
            }
            raft.submit(() -> { }).get(30, TimeUnit.SECONDS);
            System.out.println("PopCoalescerTest " + answered.size() + " acks in " + c.entries() + " entries");
            assertThat(c.changes()).isEqualTo(answered.size());
            // the first ack alone, then full batches of 16 while it is held, then the rest as one chained entry
            assertThat(c.entries()).isEqualTo(1 + (answered.size() - 1 + 15) / 16).isEqualTo(entries.size());
            assertThat(applied.inFlightTotal()).isZero().isEqualTo(expected.inFlightTotal());
        } finally {
            raft.shutdownNow();
            clients.shutdownNow();
        }
    }

    private static List<Long> range(int n) {
        List<Long> out = new ArrayList<>(n);
        for (long i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    private static void await(CountDownLatch l) {
        try {
            assertThat(l.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
