package io.raftmq.broker.it.sdk;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.consumer.ConsumeFrom;
import io.raftmq.client.consumer.ConsumerConfig;
import io.raftmq.client.consumer.LitePullConsumer;
import io.raftmq.client.consumer.ReceivedMessage;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.producer.SendResult;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the SDK lite pull consumer's assign, poll, commitSync, seek and seekToTimestamp do what they say: without
 * auto-commit nothing is stored until commitSync, which stores the polled position; a seek re-reads from the given
 * offset; seekToTimestamp starts at the first message stored at or after the time; a new consumer of the group
 * resumes at the committed offset; subscribe divides the queues. Method: a one-member TestCluster, one fresh topic
 * written by the SDK producer, messages identified by body.
 */
@SocketTest
class SdkLitePullTest {
    private static final String TOPIC = "SdkLiteTopic";

    @Test
    void pollCommitSeekAndResume(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 1).startAll()) {
            c.awaitLeaderRegistered(10_000);
            long midMs;
            try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("LitePG").build())) {
                p.start();
                for (int i = 0; i < 40; i++) {
                    p.send(Message.of(TOPIC, "a-" + i));
                }
                midMs = System.currentTimeMillis() + 5;
                TestCluster.await(5_000, "the store clock past the midpoint", () -> System.currentTimeMillis() > midMs);
                for (int i = 0; i < 20; i++) {
                    p.send(Message.of(TOPIC, "b-" + i));
                }
            }
            ConsumerConfig cfg = ConsumerConfig.builder().namesrv(c.namesrv()).group("LiteCG")
                .consumeFrom(ConsumeFrom.FIRST).autoCommit(false).build();
            List<MessageQueue> queues;
            try (LitePullConsumer lite = new LitePullConsumer(cfg)) {
                lite.start();
                queues = lite.fetchQueues(TOPIC);
                assertThat(queues).hasSize(4);
                lite.assign(queues);
                List<ReceivedMessage> all = pollUntil(lite, 60);
                assertThat(all).extracting(ReceivedMessage::bodyString).doesNotHaveDuplicates();
                MessageQueue q0 = queues.get(0);
                assertThat(lite.committed(q0)).as("nothing committed before commitSync").isIn(-1L, 0L);
                lite.commitSync();
                long end0 = lite.position(q0);
                assertThat(end0).isPositive();
                assertThat(lite.committed(q0)).isEqualTo(end0);

                lite.seek(q0, 0);
                List<ReceivedMessage> again = pollUntil(lite, (int) end0);
                assertThat(again).allMatch(m -> m.queue().equals(q0));
                assertThat(again).extracting(ReceivedMessage::queueOffset).startsWith(0L);

                for (MessageQueue q : queues) {
                    lite.seekToTimestamp(q, midMs);
                }
                List<ReceivedMessage> late = pollUntil(lite, 20);
                assertThat(late).extracting(ReceivedMessage::bodyString).allMatch(b -> b.startsWith("b-"));
                lite.seek(q0, 1);
                lite.commitSync();
                assertThat(lite.committed(q0)).as("a seek sets the position").isGreaterThanOrEqualTo(1L);
            }
            try (LitePullConsumer again = new LitePullConsumer(cfg)) {
                again.start();
                again.assign(queues);
                assertThat(again.position(queues.get(1))).as("resumes at the committed offset")
                    .isEqualTo(queueEnd(c, queues.get(1)));
            }
        }
    }

    @Test
    void subscribeDividesTheQueuesBetweenTwoConsumers(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 1).startAll()) {
            c.awaitLeaderRegistered(10_000);
            try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("LitePG").build())) {
                p.start();
                SendResult r = p.send(Message.of(TOPIC, "x"));
                assertThat(r.msgId()).isNotEmpty();
            }
            ConsumerConfig cfg = ConsumerConfig.builder().namesrv(c.namesrv()).group("LiteSubCG")
                .consumeFrom(ConsumeFrom.FIRST).rebalanceIntervalMs(300).build();
            try (LitePullConsumer a = new LitePullConsumer(cfg); LitePullConsumer b = new LitePullConsumer(cfg)) {
                a.start();
                b.start();
                a.subscribe(TOPIC, "*");
                b.subscribe(TOPIC, "*");
                TestCluster.await(15_000, "two queues each", () -> a.assignment().size() == 2
                    && b.assignment().size() == 2);
                assertThat(a.assignment()).doesNotContainAnyElementsOf(b.assignment());
            }
        }
    }

    private static List<ReceivedMessage> pollUntil(LitePullConsumer lite, int n) throws InterruptedException {
        List<ReceivedMessage> got = new ArrayList<>();
        TestCluster.await(15_000, n + " messages polled", () -> {
            try {
                got.addAll(lite.poll(100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return got.size() >= n;
        });
        return got;
    }

    private static long queueEnd(TestCluster c, MessageQueue q) {
        return c.leader().store().nextQueueOffset(q.topic(), q.queueId());
    }
}
