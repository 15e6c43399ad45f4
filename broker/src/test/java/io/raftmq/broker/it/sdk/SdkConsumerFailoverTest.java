package io.raftmq.broker.it.sdk;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.consumer.ConcurrentListener;
import io.raftmq.client.consumer.ConsumeFrom;
import io.raftmq.client.consumer.ConsumerConfig;
import io.raftmq.client.consumer.PushConsumer;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.producer.SendException;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a push consumer goes on across the death of its broker group's leader: every message the producer had
 * acknowledged is consumed (duplicates allowed and counted: a retried send may be stored twice), and consumption
 * resumes soon after the new leader is elected. Method: a three-member TestCluster (300 ms election timeout), one
 * thread sending back to back through the SDK producer, an SDK push consumer; once messages flow, the leader is
 * halted (as if its process died); sends go on for 3 s after the kill; then every acknowledged body must arrive. The
 * longest time without a consumed message after the kill is printed.
 */
@SocketTest
class SdkConsumerFailoverTest {
    private static final String TOPIC = "SdkConsumeFailover";

    @Test
    void consumptionGoesOnAcrossALeaderKill(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            Map<String, AtomicInteger> got = new ConcurrentHashMap<>();
            Set<String> acked = ConcurrentHashMap.newKeySet();
            AtomicLong lastConsumedNs = new AtomicLong();
            AtomicLong longestGapNs = new AtomicLong();
            AtomicLong killNs = new AtomicLong(Long.MAX_VALUE);
            try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("CfPG").build())) {
                p.start();
                p.send(Message.of(TOPIC, "warm-up"));
                acked.add("warm-up");
                ConsumerConfig cfg = ConsumerConfig.builder().namesrv(c.namesrv()).group("CfCG")
                    .subscribe(TOPIC, "*").consumeFrom(ConsumeFrom.FIRST).pullRetryMs(100).commitIntervalMs(200)
                    .build();
                PushConsumer consumer = PushConsumer.concurrent(cfg, msgs -> {
                    long now = System.nanoTime();
                    long prev = lastConsumedNs.getAndSet(now);
                    if (prev > killNs.get()) {
                        longestGapNs.accumulateAndGet(now - prev, Math::max);
                    } else if (now > killNs.get()) {
                        longestGapNs.accumulateAndGet(now - killNs.get(), Math::max);
                    }
                    msgs.forEach(m -> got.computeIfAbsent(m.bodyString(), k -> new AtomicInteger()).incrementAndGet());
                    return ConcurrentListener.Status.SUCCESS;
                });
                consumer.start();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger failedSends = new AtomicInteger();
                Thread sender = new Thread(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        try {
                            p.send(Message.of(TOPIC, "m-" + i));
                            acked.add("m-" + i);
                        } catch (SendException e) {
                            failedSends.incrementAndGet();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "failover-sender");
                sender.start();
                try {
                    TestCluster.await(10_000, "messages consumed", () -> got.size() > 200);
                    killNs.set(System.nanoTime());
                    leader.halt();
                    TestCluster.await(10_000, "a new leader", () -> c.leader() != null);
                    TestCluster.await(10_000, "sends 3 s after the kill",
                        () -> System.nanoTime() - killNs.get() > 3_000_000_000L);
                    stop.set(true);
                    sender.join(10_000);
                    TestCluster.await(30_000, "every acknowledged message consumed",
                        () -> got.keySet().containsAll(acked));
                } finally {
                    stop.set(true);
                    consumer.shutdown();
                }
                long duplicates = got.values().stream().filter(n -> n.get() > 1).count();
                System.out.printf("consumer across a leader kill: %d acknowledged, %d failed sends, %d consumed,"
                        + " %d delivered more than once, longest gap after the kill %.0f ms%n", acked.size(),
                    failedSends.get(), got.size(), duplicates, longestGapNs.get() / 1e6);
                assertThat(got.keySet()).containsAll(acked);
            }
        }
    }
}
