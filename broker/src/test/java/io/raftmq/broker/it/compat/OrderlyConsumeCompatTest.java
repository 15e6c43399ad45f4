package io.raftmq.broker.it.compat;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.LockBatchRequestBody;
import io.raftmq.client.protocol.body.LockBatchResponseBody;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: ordered consumption with the official 5.3.3 client over replicated queue locks (docs/messaging.md "Ordered
 * consumption"). Method: a topic with 8 queues; a producer sends KEYS keys x SEQS messages, each key always to the
 * same queue (selector by key), in sequence order; a MessageListenerOrderly consumer records each key's sequence.
 * Every key must be seen in order: a message never arrives before its predecessor (a redelivery after a failover may
 * go back and repeat, never skip). A raw LOCK_BATCH_MQ from another clientId is refused the consumer's queues (the
 * lock is held), and a follower grants nothing. The failover case stops the leader in-process mid-stream.
 */
@SocketTest
class OrderlyConsumeCompatTest {
    private static final int QUEUES = 8;
    private static final int KEYS = 16;
    private static final int SEQS = 20;

    /** Per key: the sequence numbers in the order they were consumed. */
    private final Map<Integer, List<Integer>> seen = new ConcurrentHashMap<>();
    private final List<DefaultMQPushConsumer> consumers = new ArrayList<>();

    @AfterEach
    void shutdownConsumers() {
        consumers.forEach(DefaultMQPushConsumer::shutdown);
        consumers.clear();
    }

    @Test
    void orderlyConsumerSeesEveryKeyInOrder(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll(); OfficialClients clients = new OfficialClients(c)) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            String topic = "OrderlyTopic";
            clients.admin().createAndUpdateTopicConfig(leader.config().brokerAddr(),
                new TopicConfig(topic, QUEUES, QUEUES, 6));
            DefaultMQProducer p = clients.producer("OrderlyPG");
            sendRange(p, topic, 0, SEQS);
            DefaultMQPushConsumer consumer = orderly(clients, c, "OrderlyCG", topic);
            TestCluster.await(30_000, "every message consumed", () -> complete(SEQS));
            assertInOrder(SEQS);
            for (List<Integer> s : seen.values()) {
                assertThat(s).as("no failover: each message exactly once").hasSize(SEQS);
            }
            String owner = consumer.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId();
            List<io.raftmq.client.protocol.body.MessageQueue> all = new ArrayList<>();
            for (int q = 0; q < QUEUES; q++) {
                all.add(new io.raftmq.client.protocol.body.MessageQueue(topic, TestCluster.GROUP, q));
            }
            assertThat(lock(c, leader.config().brokerAddr(), "OrderlyCG", owner, all)).hasSize(QUEUES);
            assertThat(lock(c, leader.config().brokerAddr(), "OrderlyCG", "intruder", all))
                .as("held by the consumer").isEmpty();
            assertThat(lock(c, c.follower().config().brokerAddr(), "OrderlyCG", "intruder", all))
                .as("a follower grants nothing").isEmpty();
            assertThat(lock(c, c.follower().config().brokerAddr(), "OrderlyCG", owner, all))
                .as("a follower reports the replicated locks").hasSize(QUEUES);
            shutdownConsumers();
        }
    }

    @Test
    void orderlyConsumerKeepsEveryKeyInOrderAcrossALeaderStop(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll(); OfficialClients clients = new OfficialClients(c)) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            String topic = "OrderlyFailoverTopic";
            clients.admin().createAndUpdateTopicConfig(leader.config().brokerAddr(),
                new TopicConfig(topic, QUEUES, QUEUES, 6));
            DefaultMQProducer p = new DefaultMQProducer("OrderlyFoPG");
            p.setNamesrvAddr(c.namesrv());
            p.setInstanceName("orderly-p-" + System.nanoTime());
            p.setPollNameServerInterval(500); // find the new leader within a second of its registration
            p.start();
            try {
                orderly(clients, c, "OrderlyFoCG", topic);
                sendRange(p, topic, 0, SEQS / 2);
                TestCluster.await(30_000, "the first half consumed", () -> complete(SEQS / 2));
                leader.shutdown();
                BrokerController next = c.awaitLeaderRegistered(20_000);
                assertThat(next).isNotSameAs(leader);
                sendRange(p, topic, SEQS / 2, SEQS);
                TestCluster.await(60_000, "every message consumed after the failover", () -> complete(SEQS));
                assertInOrder(SEQS);
            } finally {
                shutdownConsumers();
                p.shutdown();
            }
        }
    }

    private DefaultMQPushConsumer orderly(OfficialClients clients, TestCluster c, String group, String topic)
            throws Exception {
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
        consumer.setNamesrvAddr(c.namesrv());
        consumer.setInstanceName("orderly-" + System.nanoTime());
        consumer.setPollNameServerInterval(500);
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerOrderly) (msgs, context) -> {
            for (MessageExt m : msgs) {
                String[] kv = new String(m.getBody(), StandardCharsets.UTF_8).split(":");
                seen.computeIfAbsent(Integer.parseInt(kv[0]), k -> java.util.Collections.synchronizedList(
                    new ArrayList<>())).add(Integer.parseInt(kv[1]));
            }
            return ConsumeOrderlyStatus.SUCCESS;
        });
        consumer.start();
        consumers.add(consumer);
        return consumer;
    }

    /** Sends sequence numbers [from, to) of every key, key k always to queue k % 8, in order. */
    private static void sendRange(DefaultMQProducer p, String topic, int from, int to) throws Exception {
        for (int s = from; s < to; s++) {
            for (int k = 0; k < KEYS; k++) {
                Message m = new Message(topic, "TagA", (k + ":" + s).getBytes(StandardCharsets.UTF_8));
                m.setKeys("key-" + k);
                int key = k;
                TestCluster.await(20_000, "send " + key + ":" + s + " accepted", () -> trySend(p, m, key));
            }
        }
    }

    /**
     * One send to the key's queue; false when refused (while the producer's route still names a stopped leader). A
     * send that timed out may have been stored: its retry is then a redelivery of the same number, which the order
     * check allows.
     */
    private static boolean trySend(DefaultMQProducer p, Message m, int key) {
        try {
            return p.send(m, (mqs, msg, arg) -> mqs.get((Integer) arg % mqs.size()), key).getSendStatus()
                == SendStatus.SEND_OK;
        } catch (Exception e) { // a refused or lost send during the failover: try again
            return false;
        }
    }

    /** Whether every key's sequence numbers [0, n) have all been seen. */
    private boolean complete(int n) {
        if (seen.size() < KEYS) {
            return false;
        }
        for (List<Integer> s : seen.values()) {
            synchronized (s) {
                if (s.stream().distinct().filter(x -> x < n).count() < n) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Each key's numbers never skip ahead: every one is at most the highest seen before it + 1. */
    private void assertInOrder(int n) {
        assertThat(seen).hasSize(KEYS);
        seen.forEach((k, s) -> {
            synchronized (s) {
                int max = -1;
                for (int x : s) {
                    assertThat(x).as("key %d: %s", k, s).isLessThanOrEqualTo(max + 1);
                    max = Math.max(max, x);
                }
                assertThat(max).isEqualTo(n - 1);
            }
        });
    }

    private static List<io.raftmq.client.protocol.body.MessageQueue> lock(TestCluster c, String addr, String group,
            String clientId, List<io.raftmq.client.protocol.body.MessageQueue> queues) throws Exception {
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.LOCK_BATCH_MQ)
            .setBody(new LockBatchRequestBody(clientId, group, queues, true).encode());
        RemotingCommand r = c.client.invokeSync(addr, req, 3000);
        try {
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
            return LockBatchResponseBody.decode(r.bodyBytes()).lockOKMQSet();
        } finally {
            r.release();
        }
    }
}
