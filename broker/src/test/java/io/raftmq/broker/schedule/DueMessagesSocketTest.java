package io.raftmq.broker.schedule;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageAccessor;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: delay levels and timer messages end to end with the official 5.3.3 client over a 3-member group (short
 * delay levels "1s 2s 3s"). Method: a producer sends setDelayTimeLevel / setDelayTimeSec / setDelayTimeMs /
 * setDeliverTimeMs messages and a push consumer records when each arrives: none is stored in its real topic before
 * its due time (bornTimestamp + delay, a lower bound of the broker's) and each arrives within 1 s (plus the client's
 * own hand-off) after the due time computed from the send's return. Illegal timer values are answered 13. Failover:
 * the leader is halted while timers are pending; after the next election every one is delivered, and none twice
 * (distinct stored copies per message, counted by commit log offset). Restart: every member restarted after the
 * deliveries replays its log and rebuilds index, cursor and marks; nothing is delivered again.
 */
@SocketTest
class DueMessagesSocketTest {
    private static final String TOPIC = "DueTopic";
    private static final long LATE_MAX_MS = 1000;
    private static final long CLIENT_MARGIN_MS = 500;

    /** What the consumer saw of one message body. */
    record Seen(long receivedMs, long storeMs, long bornMs, Set<Long> copies) {
    }

    private static DefaultMQProducer producer(TestCluster c) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer("DuePG");
        p.setNamesrvAddr(c.namesrv());
        p.setInstanceName("due-p-" + System.nanoTime());
        p.setSendMsgTimeout(5000);
        p.setRetryTimesWhenSendFailed(4);
        p.start();
        return p;
    }

    private static DefaultMQPushConsumer consumer(TestCluster c, Map<String, Seen> seen) throws Exception {
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("DueCG");
        consumer.setNamesrvAddr(c.namesrv());
        consumer.setInstanceName("due-c-" + System.nanoTime());
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.setPollNameServerInterval(500); // finds the new leader soon after a failover
        consumer.subscribe(TOPIC, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            long now = System.currentTimeMillis();
            for (MessageExt m : msgs) {
                String body = new String(m.getBody(), StandardCharsets.UTF_8);
                seen.computeIfAbsent(body, b -> new Seen(now, m.getStoreTimestamp(), m.getBornTimestamp(),
                    ConcurrentHashMap.newKeySet())).copies().add(m.getCommitLogOffset());
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        return consumer;
    }

    private static Message message(String body, Consumer<Message> timing) {
        Message m = new Message(TOPIC, "TagA", body.getBytes(StandardCharsets.UTF_8));
        timing.accept(m);
        return m;
    }

    @Test
    void delayLevelsAndTimersAreDeliveredOnTimeAndIllegalTimersRejected(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, Map.of("messageDelayLevel", "1s 2s 3s",
                "timerMaxDelaySec", "60")).startAll()) {
            c.awaitLeaderRegistered(10_000);
            DefaultMQProducer p = producer(c);
            Map<String, Seen> seen = new ConcurrentHashMap<>();
            Map<String, long[]> expected = new ConcurrentHashMap<>(); // body -> {delay, sent-return time}
            DefaultMQPushConsumer consumer = null;
            try {
                assertThat(p.send(message("plain", m -> { })).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                consumer = consumer(c, seen);
                TestCluster.await(10_000, "the plain message consumed", () -> seen.containsKey("plain"));
                send(p, expected, "level-2", 2000, m -> m.setDelayTimeLevel(2));
                send(p, expected, "level-9-clamped-to-3", 3000, m -> m.setDelayTimeLevel(9));
                send(p, expected, "delay-sec-2", 2000, m -> m.setDelayTimeSec(2));
                send(p, expected, "delay-ms-1500", 1500, m -> m.setDelayTimeMs(1500));
                long at = System.currentTimeMillis() + 2500;
                p.send(message("deliver-at", m -> m.setDeliverTimeMs(at)));
                expected.put("deliver-at", new long[] {0, at});
                assertRejected(p, message("nan", m -> MessageAccessor.putProperty(m, DueTime.TIMER_DELIVER_MS, "x")));
                assertRejected(p, message("too-far", m -> m.setDelayTimeSec(61)));
                TestCluster.await(10_000, "every delayed message consumed", () -> seen.keySet()
                    .containsAll(expected.keySet()));
                for (Map.Entry<String, long[]> e : expected.entrySet()) {
                    Seen s = seen.get(e.getKey());
                    long delay = e.getValue()[0];
                    boolean absolute = e.getKey().equals("deliver-at");
                    assertThat(absolute ? s.storeMs() - at : s.storeMs() - s.bornMs() - delay)
                        .as(e.getKey() + " not stored before due").isGreaterThanOrEqualTo(0);
                    assertThat(s.receivedMs() - (absolute ? at : e.getValue()[1] + delay))
                        .as(e.getKey() + " received within 1 s after due").isLessThan(LATE_MAX_MS + CLIENT_MARGIN_MS);
                    assertThat(s.copies()).hasSize(1);
                }
                assertThat(seen).doesNotContainKeys("nan", "too-far");
            } finally {
                if (consumer != null) {
                    consumer.shutdown();
                }
                p.shutdown();
            }
        }
    }

    /** Sends and records {delay, the time the send returned}. */
    private static void send(DefaultMQProducer p, Map<String, long[]> expected, String body, long delayMs,
                             Consumer<Message> timing) throws Exception {
        assertThat(p.send(message(body, timing)).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        expected.put(body, new long[] {delayMs, System.currentTimeMillis()});
    }

    private static void assertRejected(DefaultMQProducer p, Message m) {
        assertThatThrownBy(() -> p.send(m)).isInstanceOf(MQBrokerException.class)
            .satisfies(e -> assertThat(((MQBrokerException) e).getResponseCode()).isEqualTo(13));
    }

    @Test
    void pendingTimersSurviveLeaderFailoverAndAreDeliveredOnce(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, Map.of("messageDelayLevel", "1s 2s 3s")).startAll()) {
            c.awaitLeaderRegistered(10_000);
            DefaultMQProducer p = producer(c);
            Map<String, Seen> seen = new ConcurrentHashMap<>();
            DefaultMQPushConsumer consumer = null;
            try {
                assertThat(p.send(message("plain", m -> { })).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                consumer = consumer(c, seen);
                TestCluster.await(10_000, "the plain message consumed", () -> seen.containsKey("plain"));
                int n = 30;
                for (int i = 0; i < n; i++) {
                    long delay = 1500 + 100L * i;
                    Consumer<Message> timing = i % 3 == 0 ? m -> m.setDelayTimeLevel(3) : m -> m.setDelayTimeMs(delay);
                    assertThat(p.send(message("t" + i, timing)).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                }
                BrokerController old = c.leader();
                old.halt();
                TestCluster.await(10_000, "a new leader", () -> c.leader() != null && c.leader() != old);
                c.awaitLeaderRegistered(10_000);
                // sent to the new leader (a fresh producer reads the new route): due after every other one, so its
                // arrival means all were handled
                DefaultMQProducer p2 = producer(c);
                try {
                    assertThat(p2.send(message("last", m -> m.setDelayTimeMs(6000))).getSendStatus())
                        .isEqualTo(SendStatus.SEND_OK);
                } finally {
                    p2.shutdown();
                }
                TestCluster.await(20_000, "the last timer consumed", () -> seen.containsKey("last"));
                for (int i = 0; i < n; i++) {
                    assertThat(seen).as("t" + i + " delivered").containsKey("t" + i);
                    assertThat(seen.get("t" + i).copies()).as("t" + i + " stored once").hasSize(1);
                }
            } finally {
                if (consumer != null) {
                    consumer.shutdown();
                }
                p.shutdown();
            }
        }
    }
    @Test
    void restartedMembersRebuildTheStateAndRedeliverNothing(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, Map.of("messageDelayLevel", "1s 2s 3s")).startAll()) {
            c.awaitLeaderRegistered(10_000);
            Map<String, Seen> seen = new ConcurrentHashMap<>();
            DefaultMQProducer p = producer(c);
            DefaultMQPushConsumer consumer = null;
            try {
                for (int i = 0; i < 10; i++) {
                    long delay = 1200 + 100L * i;
                    Consumer<Message> timing = i % 2 == 0 ? m -> m.setDelayTimeLevel(1) : m -> m.setDelayTimeMs(delay);
                    assertThat(p.send(message("r" + i, timing)).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                }
                consumer = consumer(c, seen);
                TestCluster.await(15_000, "every timer consumed", () -> seen.size() == 10);
            } finally {
                p.shutdown();
            }
            for (int i = 0; i < 3; i++) { // each member replays its log: index, cursor and marks rebuilt
                c.restart(i);
            }
            c.awaitLeaderRegistered(10_000);
            DefaultMQProducer p2 = producer(c);
            try {
                assertThat(p2.send(message("after-restart", m -> m.setDelayTimeMs(2000))).getSendStatus())
                    .isEqualTo(SendStatus.SEND_OK);
                TestCluster.await(20_000, "the timer sent after the restart consumed",
                    () -> seen.containsKey("after-restart"));
                for (int i = 0; i < 10; i++) {
                    assertThat(seen.get("r" + i).copies()).as("r" + i + " stored once").hasSize(1);
                }
            } finally {
                p2.shutdown();
                if (consumer != null) {
                    consumer.shutdown();
                }
            }
        }
    }
}
