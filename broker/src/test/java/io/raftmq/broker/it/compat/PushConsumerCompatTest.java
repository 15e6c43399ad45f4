package io.raftmq.broker.it.compat;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.impl.consumer.ProcessQueue;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the official 5.3.3 DefaultMQPushConsumer works unchanged against a RaftMQ group in both message models.
 * Method: one in-process NameServer + three-member group for the class; a producer creates a 4-queue topic.
 * CLUSTERING: two consumers of one group must each be assigned a non-empty, disjoint half of the queues (the
 * broker's consumer list and NOTIFY_CONSUMER_IDS_CHANGED drive the client's rebalance) within a few seconds, and
 * the messages sent then must be consumed exactly once overall, each consumer only from its own queues.
 * BROADCASTING: two consumers of one group each receive every message exactly once.
 */
@SocketTest
class PushConsumerCompatTest {
    private static final int QUEUES = 4;
    /** A rebalance needs: heartbeat, consumer list, offset queries; a missed one is retried after 20 s. */
    private static final long SETTLE_MS = 8_000;

    @TempDir
    static Path dir;
    private static TestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new TestCluster(dir, 3).startAll();
        cluster.awaitLeaderRegistered(10_000);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    @Test
    void clusteringConsumersShareTheQueuesAndConsumeEachMessageOnce() throws Exception {
        String topic = "CompatClusterTopic";
        try (OfficialClients clients = new OfficialClients(cluster)) {
            DefaultMQProducer p = clients.producer("CompatClusterPG");
            OfficialClients.sendAll(p, topic, "warmup", 1); // creates the topic (4 queues via TBW102)
            OfficialClients.Received a = new OfficialClients.Received();
            OfficialClients.Received b = new OfficialClients.Received();
            DefaultMQPushConsumer ca = clients.push("CompatClusterCG", topic, MessageModel.CLUSTERING, a);
            DefaultMQPushConsumer cb = clients.push("CompatClusterCG", topic, MessageModel.CLUSTERING, b);
            TestCluster.await(SETTLE_MS, "two consumers each assigned 2 of 4 queues, disjointly", () -> {
                Set<Integer> qa = assigned(ca, topic);
                Set<Integer> qb = assigned(cb, topic);
                return qa.size() == 2 && qb.size() == 2 && disjoint(qa, qb);
            });
            TestCluster.await(SETTLE_MS, "the warm-up message consumed", () -> a.total() + b.total() >= 1);
            int n = 40;
            OfficialClients.sendAll(p, topic, "cl", n);
            TestCluster.await(10_000, n + " messages consumed", () -> count(a, "cl-") + count(b, "cl-") >= n);

            Set<String> all = new TreeSet<>();
            for (OfficialClients.Received r : new OfficialClients.Received[] {a, b}) {
                r.bodies.forEach((body, times) -> {
                    assertThat(times.get()).as("deliveries of %s", body).isEqualTo(1);
                    assertThat(all.add(body)).as("%s consumed by both consumers", body).isTrue();
                });
            }
            Set<String> expected = new TreeSet<>();
            for (int i = 0; i < n; i++) {
                expected.add("cl-" + i);
            }
            expected.add("warmup-0");
            assertThat(all).isEqualTo(expected);
            assertThat(a.queueIds.keySet()).isNotEmpty().isEqualTo(assigned(ca, topic));
            assertThat(b.queueIds.keySet()).isNotEmpty().isEqualTo(assigned(cb, topic));
            Set<Integer> union = new TreeSet<>(a.queueIds.keySet());
            union.addAll(b.queueIds.keySet());
            assertThat(union).containsExactly(0, 1, 2, 3);
        }
    }

    @Test
    void broadcastingConsumersEachReceiveEveryMessage() throws Exception {
        String topic = "CompatBroadcastTopic";
        try (OfficialClients clients = new OfficialClients(cluster)) {
            DefaultMQProducer p = clients.producer("CompatBroadcastPG");
            OfficialClients.sendAll(p, topic, "warmup", 1);
            OfficialClients.Received a = new OfficialClients.Received();
            OfficialClients.Received b = new OfficialClients.Received();
            DefaultMQPushConsumer ca = clients.push("CompatBroadcastCG", topic, MessageModel.BROADCASTING, a);
            DefaultMQPushConsumer cb = clients.push("CompatBroadcastCG", topic, MessageModel.BROADCASTING, b);
            TestCluster.await(SETTLE_MS, "both broadcasting consumers pulling all 4 queues",
                () -> assigned(ca, topic).size() == QUEUES && assigned(cb, topic).size() == QUEUES);
            int n = 20;
            OfficialClients.sendAll(p, topic, "bc", n);
            TestCluster.await(10_000, "every message at both consumers",
                () -> count(a, "bc-") >= n && count(b, "bc-") >= n);
            for (OfficialClients.Received r : new OfficialClients.Received[] {a, b}) {
                assertThat(r.bodies).hasSize(n + 1);
                r.bodies.forEach((body, times) -> assertThat(times.get()).as("deliveries of %s", body).isEqualTo(1));
                assertThat(r.queueIds.keySet()).containsExactlyInAnyOrder(0, 1, 2, 3);
            }
        }
    }

    /** The queues of {@code topic} the consumer currently pulls (its rebalance result). */
    static Set<Integer> assigned(DefaultMQPushConsumer c, String topic) {
        Set<Integer> out = new TreeSet<>();
        Map<MessageQueue, ProcessQueue> t = c.getDefaultMQPushConsumerImpl().getRebalanceImpl()
            .getProcessQueueTable();
        t.forEach((mq, pq) -> {
            if (mq.getTopic().equals(topic) && !pq.isDropped()) {
                out.add(mq.getQueueId());
            }
        });
        return out;
    }

    private static boolean disjoint(Set<Integer> x, Set<Integer> y) {
        Set<Integer> s = new HashSet<>(x);
        s.retainAll(y);
        return s.isEmpty();
    }

    private static int count(OfficialClients.Received r, String prefix) {
        int n = 0;
        for (Map.Entry<String, AtomicInteger> e : r.bodies.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                n += e.getValue().get();
            }
        }
        return n;
    }
}
