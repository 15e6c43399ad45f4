package io.raftmq.broker.it.sdk;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.producer.SendException;
import io.raftmq.client.producer.SendResult;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a leader that dies under continuous synchronous sends costs the SDK producer no failed send with its default
 * settings (2 retries, 3 s timeout), and the client-visible gap stays well under a second. Method: a three-member
 * TestCluster (300 ms election timeout), 8 threads sending back to back through one producer; once sends flow, the
 * leader is halted (as if its process died: no transfer, no unregistering); the threads go on until 3 s after the
 * kill. Every send must succeed; the longest time without any send completing (the gap) and the slowest send are
 * printed and bounded; every acknowledged message must be in the new leader's ConsumeQueues afterwards (duplicates
 * from retried in-flight sends are allowed: at-least-once).
 */
@SocketTest
class SdkFailoverTest {
    private static final String TOPIC = "SdkFailover";
    private static final int THREADS = 8;

    @Test
    void aKilledLeaderCostsNoFailedSend(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("FailoverPG")
                .build())) {
                p.start();
                p.send(Message.of(TOPIC, "warm-up"));
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong acked = new AtomicLong(1);
                List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
                ConcurrentHashMap<Long, Long> completions = new ConcurrentHashMap<>(); // completion ns -> latency
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int id = t;
                    Thread th = new Thread(() -> sendUntil(p, id, stop, acked, failures, completions), "sender-" + t);
                    th.start();
                    threads.add(th);
                }
                TestCluster.await(5_000, "sends flowing", () -> acked.get() > 200);
                long killNs = System.nanoTime();
                leader.halt();
                TestCluster.await(10_000, "a new leader", () -> c.leader() != null);
                TestCluster.await(10_000, "sends 3 s after the kill",
                    () -> System.nanoTime() - killNs > 3_000_000_000L);
                stop.set(true);
                for (Thread th : threads) {
                    th.join(10_000);
                }
                long gapNs = longestGap(completions, killNs);
                long slowestNs = completions.values().stream().mapToLong(Long::longValue).max().orElse(0);
                System.out.printf("leader kill: %d acknowledged, %d failed, gap %.1f ms, slowest send %.1f ms%n",
                    acked.get(), failures.size(), gapNs / 1e6, slowestNs / 1e6);
                assertThat(failures).as("failed sends").isEmpty();
                assertThat(gapNs).as("longest time without a completed send, ns").isLessThan(1_500_000_000L);
                BrokerController next = c.leader();
                long expected = acked.get();
                TestCluster.await(10_000, "every acknowledged message stored on the new leader",
                    () -> stored(next) >= expected);
            }
        }
    }

    private static void sendUntil(Producer p, int id, AtomicBoolean stop, AtomicLong acked, List<Throwable> failures,
                                  ConcurrentHashMap<Long, Long> completions) {
        for (long seq = 0; !stop.get(); seq++) {
            long t0 = System.nanoTime();
            try {
                SendResult r = p.send(new Message(TOPIC, ("t" + id + "-" + seq).getBytes(StandardCharsets.UTF_8)));
                long t1 = System.nanoTime();
                completions.put(t1, t1 - t0);
                acked.incrementAndGet();
                assertThat(r.queueOffset()).isGreaterThanOrEqualTo(0);
            } catch (SendException e) {
                failures.add(e);
                System.out.println("send failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The longest interval after {@code fromNs} in which no send completed. */
    private static long longestGap(ConcurrentHashMap<Long, Long> completions, long fromNs) {
        List<Long> times = new ArrayList<>(completions.keySet());
        Collections.sort(times);
        long prev = fromNs;
        long gap = 0;
        for (long t : times) {
            if (t >= fromNs) {
                gap = Math.max(gap, t - prev);
                prev = t;
            }
        }
        return gap;
    }

    private static long stored(BrokerController b) {
        long n = 0;
        for (int q = 0; q < 8; q++) {
            n += b.store().consumeQueues().maxOffset(TOPIC, q);
        }
        return n;
    }
}
