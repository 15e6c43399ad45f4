package io.raftmq.broker.it.compat;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the official 5.3.3 DefaultLitePullConsumer (LITE_PULL_MESSAGE 361, subscription sent with each pull) works
 * against a RaftMQ group in subscribe mode (rebalanced by the client, offsets committed to the broker) and in assign
 * mode (only the assigned queues are read). Method: one NameServer + three-member group for the class; a producer
 * writes a known set of messages; the consumers poll until they have what they should and no more.
 */
@SocketTest
class LitePullCompatTest {
    private static final String TOPIC = "LiteTopic";
    private static final int SENT = 24;

    @TempDir
    static Path dir;
    private static TestCluster cluster;
    private static OfficialClients clients;
    private static List<SendResult> sent;

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster(dir, 3).startAll();
        cluster.awaitLeaderRegistered(10_000);
        clients = new OfficialClients(cluster);
        DefaultMQProducer p = clients.producer("LitePG");
        sent = OfficialClients.sendAll(p, TOPIC, "lite", SENT);
    }

    @AfterAll
    static void stop() {
        clients.close();
        cluster.close();
    }

    @Test
    void subscribeModeReadsEveryMessageOnceAndCommitsOffsetsToTheBroker() throws Exception {
        DefaultLitePullConsumer c = clients.litePull("LiteSubCG");
        c.setAutoCommit(false);
        c.subscribe(TOPIC, "*");
        c.start();
        Map<String, Integer> got = pollUntil(c, SENT);
        assertThat(got).hasSize(SENT);
        assertThat(got.values()).containsOnly(1);
        c.commitSync();
        Map<Integer, Long> expected = perQueue(sent);
        for (Map.Entry<Integer, Long> e : expected.entrySet()) {
            MessageQueue mq = new MessageQueue(TOPIC, TestCluster.GROUP, e.getKey());
            TestCluster.await(5_000, "committed offset of " + mq, () -> committed(c, mq) == e.getValue());
        }
    }

    @Test
    void assignModeReadsOnlyTheAssignedQueues() throws Exception {
        DefaultLitePullConsumer c = clients.litePull("LiteAssignCG");
        c.setAutoCommit(false);
        // The client may start a queue's pull task (at the group's start offset) before seek() lands; starting from
        // the first offset makes both orders read the same messages, so the test checks assign, not that race.
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.start();
        Collection<MessageQueue> all = c.fetchMessageQueues(TOPIC);
        assertThat(all).extracting(MessageQueue::getQueueId).containsExactlyInAnyOrder(0, 1, 2, 3);
        List<MessageQueue> mine = new ArrayList<>();
        for (MessageQueue mq : all) {
            if (mq.getQueueId() == 1 || mq.getQueueId() == 2) {
                mine.add(mq);
            }
        }
        c.assign(mine);
        for (MessageQueue mq : mine) {
            c.seek(mq, 0);
        }
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < sent.size(); i++) {
            int q = sent.get(i).getMessageQueue().getQueueId();
            if (q == 1 || q == 2) {
                expected.add("lite-" + i);
            }
        }
        Map<String, Integer> got = pollUntil(c, expected.size());
        assertThat(got.keySet()).isEqualTo(expected);
        assertThat(got.values()).containsOnly(1);
        assertThat(c.poll(300)).isEmpty(); // nothing from queues 0 and 3
    }

    private static long committed(DefaultLitePullConsumer c, MessageQueue mq) {
        try {
            return c.committed(mq);
        } catch (Exception e) { // not readable yet
            return -1;
        }
    }

    /** Polls until {@code n} messages arrived (or fails after 10 s); body → deliveries. */
    private static Map<String, Integer> pollUntil(DefaultLitePullConsumer c, int n) throws InterruptedException {
        Map<String, Integer> got = new TreeMap<>();
        int[] total = {0};
        TestCluster.await(10_000, n + " messages polled", () -> {
            for (MessageExt m : c.poll(500)) {
                got.merge(OfficialClients.body(m), 1, Integer::sum);
                total[0]++;
            }
            return total[0] >= n;
        });
        return got;
    }

    private static Map<Integer, Long> perQueue(List<SendResult> results) {
        Map<Integer, Long> m = new TreeMap<>();
        for (SendResult r : results) {
            m.merge(r.getMessageQueue().getQueueId(), 1L, Long::sum);
        }
        return m;
    }
}
