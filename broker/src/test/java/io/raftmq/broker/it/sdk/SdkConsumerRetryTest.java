package io.raftmq.broker.it.sdk;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.consumer.ConcurrentListener;
import io.raftmq.client.consumer.ConsumeFrom;
import io.raftmq.client.consumer.ConsumerConfig;
import io.raftmq.client.consumer.LitePullConsumer;
import io.raftmq.client.consumer.OrderlyListener;
import io.raftmq.client.consumer.PushConsumer;
import io.raftmq.client.consumer.ReceivedMessage;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.MessageQueueSelector;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: failed consumption ends where it should. A concurrent listener's RECONSUME_LATER sends the message back: it
 * comes again from the group's retry topic (original topic, body and keys, reconsume count rising) until the count
 * reaches reconsumeTimesMax, then it lands in the group's DLQ. An orderly listener keeps each queue in order while a
 * batch fails and is retried locally, and sends a message that fails too often to the DLQ and goes on. Method: a
 * one-member TestCluster whose delay levels are all 1 s (so retries come back fast), fresh topics; the DLQ is read
 * with the SDK's lite pull consumer.
 */
@SocketTest
class SdkConsumerRetryTest {
    private static Map<String, String> oneSecondDelays() {
        return Map.of("messageDelayLevel", String.join(" ", Collections.nCopies(18, "1s")));
    }

    @Test
    void reconsumeLaterGoesThroughTheRetryTopicThenToTheDlq(@TempDir Path dir) throws Exception {
        String topic = "SdkRetryTopic";
        String group = "RetryCG";
        try (TestCluster c = new TestCluster(dir, 1, oneSecondDelays()).startAll()) {
            c.awaitLeaderRegistered(10_000);
            List<ReceivedMessage> poison = new CopyOnWriteArrayList<>();
            AtomicInteger good = new AtomicInteger();
            ConsumerConfig cfg = ConsumerConfig.builder().namesrv(c.namesrv()).group(group).subscribe(topic, "*")
                .consumeFrom(ConsumeFrom.FIRST).reconsumeTimesMax(2).rebalanceIntervalMs(300).build();
            PushConsumer consumer = PushConsumer.concurrent(cfg, msgs -> {
                for (ReceivedMessage m : msgs) {
                    if (m.bodyString().equals("poison")) {
                        poison.add(m);
                        return ConcurrentListener.Status.RECONSUME_LATER;
                    }
                    good.incrementAndGet();
                }
                return ConcurrentListener.Status.SUCCESS;
            });
            try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("RetryPG").build())) {
                p.start();
                p.send(Message.of(topic, "fine-0"));
                consumer.start();
                p.send(Message.of(topic, "poison").keys("bad-key"));
                p.send(Message.of(topic, "fine-1"));
                TestCluster.await(30_000, "three deliveries of the poison message", () -> poison.size() >= 3);
                assertThat(good.get()).isEqualTo(2);
                List<ReceivedMessage> dlq = readAll(c, "%DLQ%" + group, 1);
                assertThat(dlq).hasSize(1);
                assertThat(dlq.get(0).bodyString()).isEqualTo("poison");
                assertThat(dlq.get(0).keys()).isEqualTo("bad-key");
            } finally {
                consumer.shutdown();
            }
            assertThat(poison).hasSize(3);
            for (int i = 0; i < 3; i++) {
                ReceivedMessage m = poison.get(i);
                assertThat(m.reconsumeTimes()).as("reconsume count of delivery " + i).isEqualTo(i);
                assertThat(m.topic()).isEqualTo(topic);
                assertThat(m.keys()).isEqualTo("bad-key");
                assertThat(m.queue().topic()).isEqualTo(i == 0 ? topic : "%RETRY%" + group);
            }
        }
    }

    @Test
    void orderlyKeepsQueueOrderThroughLocalRetriesAndSendsAHopelessMessageToTheDlq(@TempDir Path dir)
            throws Exception {
        String topic = "SdkOrderlyTopic";
        String group = "OrderlyCG";
        int keys = 8;
        int perKey = 40;
        try (TestCluster c = new TestCluster(dir, 1, oneSecondDelays()).startAll()) {
            c.awaitLeaderRegistered(10_000);
            try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("OrderlyPG").build())) {
                p.start();
                for (int s = 0; s < perKey; s++) {
                    for (int k = 0; k < keys; k++) {
                        p.send(Message.of(topic, "k" + k + "-" + s), MessageQueueSelector.byKeyHash(), "key-" + k);
                    }
                }
            }
            Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
            AtomicInteger flakyFailures = new AtomicInteger();
            AtomicInteger hopelessTries = new AtomicInteger();
            ConsumerConfig cfg = ConsumerConfig.builder().namesrv(c.namesrv()).group(group).subscribe(topic, "*")
                .consumeFrom(ConsumeFrom.FIRST).reconsumeTimesMax(2).orderlySuspendMs(50).consumeThreads(4).build();
            PushConsumer consumer = PushConsumer.orderly(cfg, msgs -> {
                for (ReceivedMessage m : msgs) {
                    String body = m.bodyString();
                    if (body.equals("k3-10") && flakyFailures.get() < 2) {
                        flakyFailures.incrementAndGet(); // fails twice, then goes through: order must hold
                        return OrderlyListener.Status.SUSPEND;
                    }
                    if (body.equals("k5-20")) {
                        hopelessTries.incrementAndGet(); // never goes through: DLQ after 1 + 2 retries
                        return OrderlyListener.Status.SUSPEND;
                    }
                    String key = body.substring(0, body.indexOf('-'));
                    seen.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>())
                        .add(Integer.parseInt(body.substring(body.indexOf('-') + 1)));
                }
                return OrderlyListener.Status.SUCCESS;
            });
            consumer.start();
            try {
                TestCluster.await(30_000, "every message but one", () -> seen.values().stream()
                    .mapToInt(List::size).sum() == keys * perKey - 1);
            } finally {
                consumer.shutdown();
            }
            for (int k = 0; k < keys; k++) {
                List<Integer> expected = new ArrayList<>();
                for (int s = 0; s < perKey; s++) {
                    if (!(k == 5 && s == 20)) {
                        expected.add(s);
                    }
                }
                assertThat(seen.get("k" + k)).as("key " + k + " in order, once each").isEqualTo(expected);
            }
            assertThat(flakyFailures.get()).isEqualTo(2);
            assertThat(hopelessTries.get()).as("deliveries of the hopeless message").isEqualTo(3);
            List<ReceivedMessage> dlq = readAll(c, "%DLQ%" + group, 1);
            assertThat(dlq).extracting(ReceivedMessage::bodyString).containsExactly("k5-20");
        }
    }

    /** Reads {@code expected} messages of {@code topic} from its first offset with a lite pull consumer. */
    private static List<ReceivedMessage> readAll(TestCluster c, String topic, int expected) throws Exception {
        List<ReceivedMessage> got = new ArrayList<>();
        try (LitePullConsumer r = new LitePullConsumer(ConsumerConfig.builder().namesrv(c.namesrv())
            .group("Reader" + Math.abs(topic.hashCode())).consumeFrom(ConsumeFrom.FIRST).autoCommit(false).build())) {
            r.start();
            TestCluster.await(15_000, topic + " routed", () -> {
                try {
                    return !r.fetchQueues(topic).isEmpty();
                } catch (Exception e) { // not routed yet
                    return false;
                }
            });
            r.assign(r.fetchQueues(topic));
            TestCluster.await(15_000, expected + " messages in " + topic, () -> {
                try {
                    got.addAll(r.poll(100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return got.size() >= expected;
            });
        }
        return got;
    }
}
