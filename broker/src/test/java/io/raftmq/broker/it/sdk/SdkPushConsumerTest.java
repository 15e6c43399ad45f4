package io.raftmq.broker.it.sdk;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.consumer.ConcurrentListener;
import io.raftmq.client.consumer.ConsumeFrom;
import io.raftmq.client.consumer.ConsumerConfig;
import io.raftmq.client.consumer.MessageModel;
import io.raftmq.client.consumer.PushConsumer;
import io.raftmq.client.consumer.ReceivedMessage;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the SDK push consumer (concurrent listener) delivers every message exactly once in the happy path, whoever
 * sent it (the official 5.3.3 producer or ours), passes only the subscribed tags, commits its offsets to the broker,
 * and divides the queues with a second consumer of its group, taking them all back when that one stops. Method: a
 * one-member TestCluster (the queue logic does not depend on replication; failover has its own test), fresh topics
 * auto-created through TBW102 (4 queues), messages identified by body; conditions awaited with deadlines.
 */
@SocketTest
class SdkPushConsumerTest {
    @Test
    void everyMessageOnceFromBothProducersAndOnlySubscribedTags(@TempDir Path dir) throws Exception {
        String topic = "SdkPushTopic";
        try (TestCluster c = new TestCluster(dir, 1).startAll()) {
            c.awaitLeaderRegistered(10_000);
            int ours = 150;
            int official = 50;
            try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("PushPG").build())) {
                p.start();
                for (int i = 0; i < ours; i++) {
                    p.send(Message.of(topic, "sdk-" + i).tags(i % 3 == 0 ? "TagB" : "TagA").keys("k" + i));
                }
            }
            DefaultMQProducer op = new DefaultMQProducer("PushOfficialPG");
            op.setNamesrvAddr(c.namesrv());
            op.setInstanceName("push-op-" + System.nanoTime());
            op.start();
            try {
                for (int i = 0; i < official; i++) {
                    var m = new org.apache.rocketmq.common.message.Message(topic, "TagA",
                        ("official-" + i).getBytes(StandardCharsets.UTF_8));
                    assertThat(op.send(m).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                }
            } finally {
                op.shutdown();
            }
            Map<String, AtomicInteger> got = new ConcurrentHashMap<>();
            ConsumerConfig cfg = ConsumerConfig.builder().namesrv(c.namesrv()).group("PushCG")
                .subscribe(topic, "TagA").consumeFrom(ConsumeFrom.FIRST).commitIntervalMs(200).build();
            PushConsumer consumer = PushConsumer.concurrent(cfg, msgs -> {
                for (ReceivedMessage m : msgs) {
                    assertThat(m.tags()).isEqualTo("TagA");
                    got.computeIfAbsent(m.bodyString(), k -> new AtomicInteger()).incrementAndGet();
                }
                return ConcurrentListener.Status.SUCCESS;
            });
            consumer.start();
            try {
                int expected = ours - (ours + 2) / 3 + official;
                TestCluster.await(20_000, expected + " TagA messages", () -> got.size() >= expected);
                assertThat(got).hasSize(expected);
                assertThat(got.values()).allMatch(n -> n.get() == 1);
                assertThat(got).doesNotContainKey("sdk-0").containsKey("sdk-1").containsKey("official-49");
                Set<MessageQueue> queues = consumer.assignment();
                assertThat(queues).filteredOn(q -> q.topic().equals(topic)).hasSize(4);
                TestCluster.await(10_000, "offsets at the queue ends", () -> queues.stream()
                    .filter(q -> q.topic().equals(topic)).mapToLong(consumer::offset).sum() == ours + official);
            } finally {
                consumer.shutdown();
            }
        }
    }

    @Test
    void twoConsumersSplitTheQueuesAndOneTakesAllWhenTheOtherStops(@TempDir Path dir) throws Exception {
        String topic = "SdkSplitTopic";
        try (TestCluster c = new TestCluster(dir, 1).startAll()) {
            c.awaitLeaderRegistered(10_000);
            try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("SplitPG").build())) {
                p.start();
                p.send(Message.of(topic, "create")); // the topic exists (4 queues) before the consumers start
                Map<String, AtomicInteger> got = new ConcurrentHashMap<>();
                ConcurrentListener count = msgs -> {
                    msgs.forEach(m -> got.computeIfAbsent(m.bodyString(), k -> new AtomicInteger()).incrementAndGet());
                    return ConcurrentListener.Status.SUCCESS;
                };
                ConsumerConfig cfg = ConsumerConfig.builder().namesrv(c.namesrv()).group("SplitCG")
                    .subscribe(topic, "*").consumeFrom(ConsumeFrom.FIRST).commitIntervalMs(200).build();
                PushConsumer a = PushConsumer.concurrent(cfg, count);
                PushConsumer b = PushConsumer.concurrent(cfg, count);
                a.start();
                b.start();
                try {
                    TestCluster.await(15_000, "two queues each", () -> topicQueues(a, topic) == 2
                        && topicQueues(b, topic) == 2);
                    for (int i = 0; i < 100; i++) {
                        p.send(Message.of(topic, "first-" + i));
                    }
                    TestCluster.await(15_000, "the first 100", () -> got.keySet().stream()
                        .filter(k -> k.startsWith("first-")).count() == 100);
                    b.shutdown();
                    TestCluster.await(5_000, "all four queues with the remaining consumer",
                        () -> topicQueues(a, topic) == 4);
                    for (int i = 0; i < 100; i++) {
                        p.send(Message.of(topic, "second-" + i));
                    }
                    TestCluster.await(15_000, "the second 100", () -> got.keySet().stream()
                        .filter(k -> k.startsWith("second-")).count() == 100);
                    long duplicates = got.values().stream().filter(n -> n.get() > 1).count();
                    System.out.println("split and rebalance: " + got.size() + " distinct, " + duplicates
                        + " delivered more than once");
                    assertThat(duplicates).as("duplicates in a clean hand-over").isZero();
                } finally {
                    a.shutdown();
                    b.shutdown();
                }
            }
        }
    }

    @Test
    void broadcastingGivesEveryConsumerEveryMessageAndKeepsOffsetsInAFile(@TempDir Path dir) throws Exception {
        String topic = "SdkBroadcastTopic";
        try (TestCluster c = new TestCluster(dir.resolve("cluster"), 1).startAll()) {
            c.awaitLeaderRegistered(10_000);
            try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("BcPG").build())) {
                p.start();
                for (int i = 0; i < 60; i++) {
                    p.send(Message.of(topic, "bc-" + i));
                }
            }
            Map<String, AtomicInteger> gotA = new ConcurrentHashMap<>();
            Map<String, AtomicInteger> gotB = new ConcurrentHashMap<>();
            PushConsumer a = broadcaster(c, topic, dir.resolve("a"), gotA);
            PushConsumer b = broadcaster(c, topic, dir.resolve("b"), gotB);
            a.start();
            b.start();
            try {
                TestCluster.await(15_000, "every message at both", () -> gotA.size() == 60 && gotB.size() == 60);
                assertThat(gotA.values()).allMatch(n -> n.get() == 1);
                assertThat(gotB.values()).allMatch(n -> n.get() == 1);
            } finally {
                a.shutdown();
                b.shutdown();
            }
            String file = java.nio.file.Files.readString(dir.resolve("a").resolve("BcCG.offsets"));
            assertThat(file).startsWith("raftmq-offsets 1\n").contains(topic + "\tbroker-a\t");
            long sum = file.lines().filter(l -> l.startsWith(topic)).mapToLong(l -> Long.parseLong(l.split("\t")[3]))
                .sum();
            assertThat(sum).as("offsets in the file").isEqualTo(60);
        }
    }

    private static PushConsumer broadcaster(TestCluster c, String topic, Path offsets,
                                            Map<String, AtomicInteger> got) {
        ConsumerConfig cfg = ConsumerConfig.builder().namesrv(c.namesrv()).group("BcCG").subscribe(topic, "*")
            .model(MessageModel.BROADCASTING).consumeFrom(ConsumeFrom.FIRST).offsetDir(offsets).build();
        return PushConsumer.concurrent(cfg, msgs -> {
            msgs.forEach(m -> got.computeIfAbsent(m.bodyString(), k -> new AtomicInteger()).incrementAndGet());
            return ConcurrentListener.Status.SUCCESS;
        });
    }

    private static long topicQueues(PushConsumer c, String topic) {
        return c.assignment().stream().filter(q -> q.topic().equals(topic)).count();
    }
}
