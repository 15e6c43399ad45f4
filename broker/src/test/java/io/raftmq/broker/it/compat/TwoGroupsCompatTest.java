package io.raftmq.broker.it.compat;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.instance.ClientConfig;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.impl.consumer.ProcessQueue;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the official 5.3.3 clients work unchanged against two RaftMQ broker groups behind one NameServer (the
 * RocketMQ way to scale out: docs/architecture.md "Several broker groups"). Method: an in-process NameServer with two
 * three-member groups, broker-a and broker-b ({@link TestCluster#addGroup}); a topic created as mqadmin's
 * {@code updateTopic -c} does it, or as our SDK's AdminClient does it with a cluster name (on the leader of every
 * group of the cluster) gets 4 queues on each group.
 * (a) a producer's sends spread over both groups; two push consumers of one group share all 8 queues and together
 * receive every message. (b) the leader of broker-b is halted (as if its process died) while a producer sends: the
 * sends keep succeeding via broker-a (the largest interval without a SEND_OK is printed and bounded), broker-b
 * elects a new leader and its queues take sends again, and every acknowledged message is consumed afterwards.
 */
@SocketTest
class TwoGroupsCompatTest {
    private static final String CLUSTER = "DefaultCluster";
    private static final int QUEUES = 4;
    /** A rebalance needs: heartbeat, consumer list, offset queries; a missed one is retried after 20 s. */
    private static final long SETTLE_MS = 10_000;
    /** Sends to a dead leader are refused at once and retried on the other group: a gap far below the 5 s timeout. */
    private static final long GAP_MAX_MS = 3_000;

    @TempDir
    Path dir;
    private TestCluster a;
    private TestCluster b;

    @BeforeEach
    void startTwoGroups() throws Exception {
        a = new TestCluster(dir.resolve("a"), 3).startAll();
        b = a.addGroup(dir.resolve("b"), "broker-b", 3, Map.of()).startAll();
        a.awaitLeaderRegistered(10_000);
        b.awaitLeaderRegistered(10_000);
    }

    @AfterEach
    void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    void sendsSpreadOverBothGroupsAndTwoConsumersShareAllQueues() throws Exception {
        String topic = "TwoGroupsTopic";
        try (OfficialClients clients = new OfficialClients(a)) {
            createOnEveryGroup(clients.admin(), topic);
            DefaultMQProducer p = clients.producer("TwoGroupsPG");
            int n = 80;
            Map<String, Integer> perGroup = new TreeMap<>();
            for (SendResult r : OfficialClients.sendAll(p, topic, "tg", n)) {
                perGroup.merge(r.getMessageQueue().getBrokerName(), 1, Integer::sum);
            }
            System.out.println("TwoGroupsCompatTest sends per group: " + perGroup);
            assertThat(perGroup).containsOnlyKeys("broker-a", "broker-b");
            assertThat(perGroup.values()).allSatisfy(c -> assertThat(c).isGreaterThanOrEqualTo(n / 4));

            OfficialClients.Received ra = new OfficialClients.Received();
            OfficialClients.Received rb = new OfficialClients.Received();
            DefaultMQPushConsumer ca = clients.push("TwoGroupsCG", topic, MessageModel.CLUSTERING, ra);
            DefaultMQPushConsumer cb = clients.push("TwoGroupsCG", topic, MessageModel.CLUSTERING, rb);
            TestCluster.await(SETTLE_MS, "two consumers each assigned 4 of the 8 queues, disjointly", () -> {
                Set<MessageQueue> qa = assigned(ca, topic);
                Set<MessageQueue> qb = assigned(cb, topic);
                Set<MessageQueue> all = new HashSet<>(qa);
                all.addAll(qb);
                return qa.size() == QUEUES && qb.size() == QUEUES && all.size() == 2 * QUEUES;
            });
            Set<String> groupsOfQueues = new TreeSet<>();
            assigned(ca, topic).forEach(q -> groupsOfQueues.add(q.getBrokerName()));
            assigned(cb, topic).forEach(q -> groupsOfQueues.add(q.getBrokerName()));
            assertThat(groupsOfQueues).containsExactly("broker-a", "broker-b");
            TestCluster.await(SETTLE_MS, n + " messages consumed", () -> distinct(ra, rb).size() >= n);
            assertThat(distinct(ra, rb)).isEqualTo(bodies("tg", n));
            assertThat(ra.total()).as("consumer a received some").isPositive();
            assertThat(rb.total()).as("consumer b received some").isPositive();
            assertThat(brokersOf(ra, rb)).containsExactly("broker-a", "broker-b");
        }
    }

    @Test
    void leaderOfOneGroupDiesWhileSendingAndNothingAcknowledgedIsLost() throws Exception {
        String topic = "TwoGroupsKillTopic";
        try (OfficialClients clients = new OfficialClients(a);
             AdminClient sdkAdmin = new AdminClient(ClientConfig.defaults(List.of(a.namesrv())))) {
            sdkAdmin.start();
            // our SDK's way (bin/raftmq-admin topic create --cluster): on the leader of every group of the cluster
            sdkAdmin.createTopic(io.raftmq.client.protocol.body.TopicConfig.of(topic, QUEUES), CLUSTER);
            awaitRoutedOnBoth(clients.admin(), topic);
            DefaultMQProducer p = clients.producer("TwoGroupsKillPG", q -> q.setPollNameServerInterval(500));
            Sends sends = new Sends(p, topic);
            sends.until(() -> sends.okOn("broker-b") >= 10 && sends.okOn("broker-a") >= 10, 10_000);
            BrokerController dead = b.leader();
            long haltNs = System.nanoTime();
            dead.halt();
            sends.markFrom(haltNs);
            sends.until(() -> sends.okOnSinceMark("broker-b") >= 10, 20_000);
            long resumeMs = TimeUnit.NANOSECONDS.toMillis(sends.firstOkSinceMark("broker-b") - haltNs);
            System.out.println("TwoGroupsCompatTest: " + sends.acked.size() + " acknowledged, " + sends.failed
                + " failed; largest interval without a SEND_OK " + sends.gapMaxMs() + " ms; broker-b took sends"
                + " again " + resumeMs + " ms after its leader died (new leader " + b.leader().config().brokerAddr()
                + ")");
            assertThat(sends.gapMaxMs()).as("largest interval without a SEND_OK").isLessThan(GAP_MAX_MS);
            assertThat(b.leader()).isNotNull().isNotSameAs(dead);

            OfficialClients.Received r = new OfficialClients.Received();
            clients.push("TwoGroupsKillCG", topic, MessageModel.CLUSTERING, r);
            TestCluster.await(SETTLE_MS, sends.acked.size() + " acknowledged messages consumed",
                () -> r.bodies.keySet().containsAll(sends.acked));
            assertThat(r.bodies.keySet()).containsAll(sends.acked);
        }
    }

    /**
     * One send after another from the calling thread, each body unique; records the acknowledged bodies, the time of
     * each SEND_OK and the group that took it. A failed send (the client's retries used up) is counted, not thrown.
     */
    private static final class Sends {
        final DefaultMQProducer producer;
        final String topic;
        final List<String> acked = new ArrayList<>();
        final List<Long> okNanos = new ArrayList<>();
        final List<String> okGroup = new ArrayList<>();
        int failed;
        int markIndex = Integer.MAX_VALUE;

        Sends(DefaultMQProducer producer, String topic) {
            this.producer = producer;
            this.topic = topic;
        }

        void until(BooleanSupplier done, long timeoutMs) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (!done.getAsBoolean()) {
                assertThat(System.nanoTime() - deadline).as("sends reached their goal within %d ms (%d acked)",
                    timeoutMs, acked.size()).isNegative();
                sendOne();
            }
        }

        private void sendOne() throws InterruptedException {
            String body = "k-" + (acked.size() + failed);
            try {
                SendResult r = producer.send(new Message(topic, "TagA", body.getBytes(StandardCharsets.UTF_8)));
                if (r.getSendStatus() == SendStatus.SEND_OK) {
                    acked.add(body);
                    okNanos.add(System.nanoTime());
                    okGroup.add(r.getMessageQueue().getBrokerName());
                    return;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) { // the client's retries are used up: counted, the loop goes on
                System.out.println("send " + body + " failed: " + e);
            }
            failed++;
        }

        void markFrom(long nanos) {
            int i = 0;
            while (i < okNanos.size() && okNanos.get(i) < nanos) {
                i++;
            }
            markIndex = i;
        }

        int okOn(String group) {
            return (int) okGroup.stream().filter(group::equals).count();
        }

        int okOnSinceMark(String group) {
            int n = 0;
            for (int i = markIndex; i < okGroup.size(); i++) {
                n += okGroup.get(i).equals(group) ? 1 : 0;
            }
            return n;
        }

        long firstOkSinceMark(String group) {
            for (int i = markIndex; i < okGroup.size(); i++) {
                if (okGroup.get(i).equals(group)) {
                    return okNanos.get(i);
                }
            }
            throw new AssertionError("no SEND_OK on " + group + " since the mark");
        }

        long gapMaxMs() {
            long max = 0;
            for (int i = 1; i < okNanos.size(); i++) {
                max = Math.max(max, okNanos.get(i) - okNanos.get(i - 1));
            }
            return TimeUnit.NANOSECONDS.toMillis(max);
        }
    }

    /**
     * What {@code mqadmin updateTopic -c CLUSTER} does: the topic (4 queues) on the leader of every group of the
     * cluster; then waits until the NameServer routes it on both groups (test (b) creates its topic with our SDK's
     * AdminClient instead).
     */
    private static void createOnEveryGroup(DefaultMQAdminExt admin, String topic) throws Exception {
        ClusterInfo ci = admin.examineBrokerClusterInfo();
        Set<String> names = ci.getClusterAddrTable().get(CLUSTER);
        assertThat(names).containsExactlyInAnyOrder("broker-a", "broker-b");
        for (String name : names) {
            BrokerData bd = ci.getBrokerAddrTable().get(name);
            admin.createAndUpdateTopicConfig(bd.selectBrokerAddr(), new TopicConfig(topic, QUEUES, QUEUES, 6));
        }
        awaitRoutedOnBoth(admin, topic);
    }

    private static void awaitRoutedOnBoth(DefaultMQAdminExt admin, String topic) throws InterruptedException {
        TestCluster.await(10_000, topic + " routed on both groups", () -> {
            try {
                TopicRouteData route = admin.examineTopicRouteInfo(topic);
                return route.getQueueDatas().stream().map(QueueData::getBrokerName).collect(Collectors.toSet())
                    .equals(Set.of("broker-a", "broker-b"));
            } catch (Exception notYet) { // no route yet
                return false;
            }
        });
    }

    /** The queues of {@code topic} the consumer currently pulls (its rebalance result). */
    private static Set<MessageQueue> assigned(DefaultMQPushConsumer c, String topic) {
        Set<MessageQueue> out = new HashSet<>();
        Map<MessageQueue, ProcessQueue> t = c.getDefaultMQPushConsumerImpl().getRebalanceImpl()
            .getProcessQueueTable();
        t.forEach((mq, pq) -> {
            if (mq.getTopic().equals(topic) && !pq.isDropped()) {
                out.add(mq);
            }
        });
        return out;
    }

    private static Set<String> distinct(OfficialClients.Received... rs) {
        Set<String> all = new TreeSet<>();
        for (OfficialClients.Received r : rs) {
            all.addAll(r.bodies.keySet());
        }
        return all;
    }

    private static Set<String> brokersOf(OfficialClients.Received... rs) {
        Set<String> all = new TreeSet<>();
        for (OfficialClients.Received r : rs) {
            synchronized (r.messages) {
                for (MessageExt m : r.messages) {
                    all.add(m.getBrokerName());
                }
            }
        }
        return all;
    }

    private static Set<String> bodies(String prefix, int n) {
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + "-" + i);
        }
        return out;
    }
}
