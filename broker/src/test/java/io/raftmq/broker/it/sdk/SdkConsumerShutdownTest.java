package io.raftmq.broker.it.sdk;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.consumer.ConcurrentListener;
import io.raftmq.client.consumer.ConsumeFrom;
import io.raftmq.client.consumer.ConsumerConfig;
import io.raftmq.client.consumer.LitePullConsumer;
import io.raftmq.client.consumer.OrderlyListener;
import io.raftmq.client.consumer.PushConsumer;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a consumer's shutdown leaves nothing behind: no thread it started (event loop, consume threads), no open
 * connection, no pending call (long polls held by the broker included), no leaked buffer (the Netty leak guard
 * registered for broker tests checks after each test); and it commits what was consumed. Method: a concurrent and an
 * orderly push consumer and a lite pull consumer, each started, fed, and shut down while their long polls are held;
 * live threads are compared with those before the start.
 */
@SocketTest
class SdkConsumerShutdownTest {
    private static final String TOPIC = "SdkConsumerShutdown";

    @Test
    void shutdownLeavesNoThreadsConnectionsOrCalls(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 1).startAll()) {
            c.awaitLeaderRegistered(10_000);
            try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("ShutPG").build())) {
                p.start();
                for (int i = 0; i < 20; i++) {
                    p.send(Message.of(TOPIC, "s-" + i));
                }
            }
            for (int round = 0; round < 2; round++) {
                Set<Thread> before = Thread.getAllStackTraces().keySet();
                AtomicInteger got = new AtomicInteger();
                ConsumerConfig cfg = ConsumerConfig.builder().namesrv(c.namesrv()).group("ShutCG" + round)
                    .subscribe(TOPIC, "*").consumeFrom(ConsumeFrom.FIRST).build();
                PushConsumer consumer = round == 0
                    ? PushConsumer.concurrent(cfg, msgs -> {
                        got.addAndGet(msgs.size());
                        return ConcurrentListener.Status.SUCCESS;
                    })
                    : PushConsumer.orderly(cfg, msgs -> {
                        got.addAndGet(msgs.size());
                        return OrderlyListener.Status.SUCCESS;
                    });
                consumer.start();
                TestCluster.await(15_000, "20 messages consumed", () -> got.get() == 20);
                assertThat(newThreads(before)).anyMatch(n -> n.startsWith("raftmq-consume-"));
                consumer.shutdown();
                assertNothingLeft(before, consumer.instance().remoting().channelCount(),
                    consumer.instance().remoting().pendingCount());
                assertThat(consumer.consumeThreadsAlive()).isZero();
                try (LitePullConsumer check = new LitePullConsumer(ConsumerConfig.builder().namesrv(c.namesrv())
                    .group("ShutCG" + round).build())) {
                    check.start();
                    long committed = 0;
                    for (var q : check.fetchQueues(TOPIC)) {
                        committed += check.committed(q);
                    }
                    assertThat(committed).as("offsets committed at shutdown").isEqualTo(20);
                }
            }
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            LitePullConsumer lite = new LitePullConsumer(ConsumerConfig.builder().namesrv(c.namesrv())
                .group("ShutLite").consumeFrom(ConsumeFrom.FIRST).build());
            lite.start();
            lite.assign(lite.fetchQueues(TOPIC));
            AtomicInteger polled = new AtomicInteger();
            TestCluster.await(15_000, "20 polled", () -> {
                try {
                    polled.addAndGet(lite.poll(100).size());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return polled.get() == 20;
            });
            lite.shutdown();
            assertNothingLeft(before, 0, 0);
        }
    }

    private static void assertNothingLeft(Set<Thread> before, int channels, int pending) throws Exception {
        TestCluster.await(5_000, "threads of the consumer ended", () -> newThreads(before).isEmpty());
        assertThat(channels).as("open connections").isZero();
        assertThat(pending).as("pending calls").isZero();
    }

    private static Set<String> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && !before.contains(t))
            .map(Thread::getName)
            .filter(n -> n.startsWith("raftmq-sdk") || n.startsWith("raftmq-remoting-client")
                || n.startsWith("raftmq-consume"))
            .collect(Collectors.toSet());
    }
}
