package io.raftmq.broker.it.compat;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.broker.pop.PopState;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageRequestMode;
import org.apache.rocketmq.remoting.protocol.admin.ConsumeStats;
import org.apache.rocketmq.remoting.protocol.admin.OffsetWrapper;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the official 5.3.3 push consumer pops (docs/consumer-protocol.md "Pop consumption"): a group switched to
 * POP with SET_MESSAGE_REQUEST_MODE (the admin API mqadmin setConsumeMode uses) and consumers that let the broker
 * assign queues ({@code clientRebalance=false}) consume through POP_MESSAGE and ACK_MESSAGE; several consumers share
 * every queue; a message that is not acked comes back after its invisible time with reconsumeTimes 1, and one the
 * listener answers RECONSUME_LATER for after the 10 s the client asks with CHANGE_MESSAGE_INVISIBLETIME; and after the
 * leader member is stopped the new leader redelivers nothing that was acked and the un-acked message once its
 * invisible time passed. Method: a three-member group in this JVM per test, small N, invisible times of 5 s
 * (the client's least) where expiry is the point, 60 s where it must not happen; the broker's replicated pop state
 * says when every message was acked. The failover is in-process: the leader member of the three is shut down and
 * the consumers follow the route to the new one (PopLeaderKillTest in chaos-tests kills a leader process).
 */
@SocketTest
class PopConsumeCompatTest {
    private static final String TOPIC = "PopTopic";

    @TempDir
    Path dir;
    private TestCluster cluster;
    private OfficialClients clients;
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<DefaultMQPushConsumer> consumers = new ArrayList<>();

    private void startCluster(String group) throws Exception {
        cluster = new TestCluster(dir, 3).startAll();
        BrokerController leader = cluster.awaitLeaderRegistered(10_000);
        clients = new OfficialClients(cluster);
        DefaultMQProducer p = clients.producer("PopPG");
        OfficialClients.sendAll(p, TOPIC, "warm", 1); // creates the topic
        DefaultMQAdminExt admin = clients.admin();
        admin.setMessageRequestMode(leader.config().brokerAddr(), TOPIC, group, MessageRequestMode.POP, 0, 5000);
        assertThat(leader.popState().popShareQueueNum(TOPIC, group)).isZero();
    }

    /** A started consumer popping with {@code invisibleMs}; {@code hold} messages are not acked until released. */
    private DefaultMQPushConsumer consumer(String group, long invisibleMs, OfficialClients.Received into,
                                           Predicate<MessageExt> hold) throws MQClientException {
        return judging(group, invisibleMs, into, m -> {
            if (hold.test(m)) {
                awaitRelease(release);
            }
            return true;
        });
    }

    /**
     * A started consumer popping with {@code invisibleMs} that runs {@code each} on every message it consumes and
     * answers RECONSUME_LATER when it returns false.
     */
    private DefaultMQPushConsumer judging(String group, long invisibleMs, OfficialClients.Received into,
                                          Predicate<MessageExt> each) throws MQClientException {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(cluster.namesrv());
        c.setInstanceName(group + "-" + consumers.size() + "-" + System.nanoTime());
        c.setClientRebalance(false);
        c.setPopInvisibleTime(invisibleMs);
        c.setPopBatchNums(2);
        c.setPopThresholdForQueue(1); // a consumer holding unacked messages of a queue leaves it to the others
        c.setPollNameServerInterval(1000);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(TOPIC, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            boolean ok = true;
            for (MessageExt m : msgs) {
                into.add(m);
                ok &= each.test(m);
            }
            return ok ? ConsumeConcurrentlyStatus.CONSUME_SUCCESS : ConsumeConcurrentlyStatus.RECONSUME_LATER;
        });
        c.start();
        consumers.add(c);
        return c;
    }

    private static void awaitRelease(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the leader holds no in-flight offset of {@code group} on the topic's queues. */
    private boolean allAcked(String group) {
        BrokerController l = cluster.leader();
        if (l == null) {
            return false;
        }
        for (int q = 0; q < 8; q++) {
            if (!l.popState().flights(new PopState.QueueKey(group, TOPIC, q)).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    @Test
    void threeConsumersPopEveryMessageOnce() throws Exception {
        String group = "PopCG";
        startCluster(group);
        Map<Integer, OfficialClients.Received> perConsumer = new ConcurrentHashMap<>();
        CountDownLatch everyoneHasOne = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            perConsumer.put(i, new OfficialClients.Received());
            AtomicBoolean first = new AtomicBoolean(true);
            // no ack until every consumer has a message; 60 s invisible: nothing expires while they wait
            judging(group, 60_000, perConsumer.get(i), m -> {
                if (first.getAndSet(false)) {
                    everyoneHasOne.countDown();
                }
                awaitRelease(everyoneHasOne);
                return true;
            });
        }
        OfficialClients.sendAll(clients.producer("PopPG2"), TOPIC, "pop", 60);
        TestCluster.await(30_000, "every message popped and acked", () -> bodies(perConsumer, "pop-") == 60
            && allAcked(group));
        OfficialClients.Received all = merge(perConsumer);
        for (int i = 0; i < 60; i++) {
            assertThat(all.bodies.get("pop-" + i)).as("pop-" + i).isNotNull().hasValue(1);
        }
        assertThat(everyoneHasOne.getCount()).as("consumers that received nothing").isZero();
        assertThat(all.messages).allMatch(m -> m.getReconsumeTimes() == 0);
        // mqadmin consumerProgress: a pop group's consumer offsets are how far it acknowledged
        ConsumeStats stats = clients.admin().examineConsumeStats(group);
        assertThat(stats.computeTotalDiff()).as("lag after every message was acked").isZero();
        assertThat(stats.getOffsetTable().values().stream().mapToLong(OffsetWrapper::getConsumerOffset).sum())
            .as("consumer offsets of the popped queues (60, and the warm-up message)").isBetween(60L, 61L);
    }

    @Test
    void aMessageNotAckedOrReconsumedLaterComesBack() throws Exception {
        String group = "PopLateCG";
        startCluster(group);
        OfficialClients.Received got = new OfficialClients.Received();
        judging(group, 5000, got, m -> {
            String b = OfficialClients.body(m);
            if (m.getReconsumeTimes() == 0 && b.equals("late-3")) {
                awaitRelease(release); // never acked in time: back after the invisible time
            }
            return m.getReconsumeTimes() > 0 || !b.equals("late-7"); // RECONSUME_LATER: CHANGE_INVISIBLETIME 10 s
        });
        OfficialClients.sendAll(clients.producer("PopPG2"), TOPIC, "late", 10);
        TestCluster.await(30_000, "late-3 and late-7 handed out again", () -> got.messages.stream()
            .filter(m -> m.getReconsumeTimes() == 1).map(OfficialClients::body).filter(b -> b.startsWith("late-"))
            .count() == 2);
        release.countDown();
        TestCluster.await(20_000, "every message acked", () -> allAcked(group));
        for (int i = 0; i < 10; i++) {
            assertThat(got.bodies.get("late-" + i)).as("late-" + i).isNotNull().hasValue(i == 3 || i == 7 ? 2 : 1);
        }
        assertThat(got.messages.stream().filter(m -> m.getReconsumeTimes() == 1).map(OfficialClients::body).sorted()
            .toList()).containsExactly("late-3", "late-7");
    }

    @Test
    void afterALeaderFailoverAckedMessagesStayAckedAndTheUnackedOneComesBack() throws Exception {
        String group = "PopFailCG";
        startCluster(group);
        OfficialClients.Received got = new OfficialClients.Received();
        consumer(group, 5000, got, m -> OfficialClients.body(m).equals("fail-5") && m.getReconsumeTimes() == 0);
        consumer(group, 5000, got, m -> OfficialClients.body(m).equals("fail-5") && m.getReconsumeTimes() == 0);
        OfficialClients.sendAll(clients.producer("PopPG2"), TOPIC, "fail", 20);
        TestCluster.await(20_000, "19 of 20 acked", () -> prefixed(got, "fail-") == 20 && inFlight(group) == 1);
        BrokerController old = cluster.leader();
        old.shutdown();
        TestCluster.await(20_000, "a new leader registered", () -> {
            BrokerController l = cluster.leader();
            return l != null && l != old && l.config().brokerAddr().equals(cluster.routedMaster(TOPIC));
        });
        TestCluster.await(30_000, "fail-5 handed out again by the new leader", () -> got.messages.stream()
            .anyMatch(m -> OfficialClients.body(m).equals("fail-5") && m.getReconsumeTimes() == 1));
        release.countDown();
        TestCluster.await(20_000, "every message acked", () -> allAcked(group));
        for (int i = 0; i < 20; i++) {
            assertThat(got.bodies.get("fail-" + i)).as("fail-" + i).isNotNull().hasValue(i == 5 ? 2 : 1);
        }
    }

    private int inFlight(String group) {
        BrokerController l = cluster.leader();
        int n = 0;
        for (int q = 0; l != null && q < 8; q++) {
            n += l.popState().flights(new PopState.QueueKey(group, TOPIC, q)).size();
        }
        return n;
    }

    private static long bodies(Map<Integer, OfficialClients.Received> per, String prefix) {
        return prefixed(merge(per), prefix);
    }

    private static long prefixed(OfficialClients.Received r, String prefix) {
        return r.bodies.keySet().stream().filter(b -> b.startsWith(prefix)).count();
    }

    private static OfficialClients.Received merge(Map<Integer, OfficialClients.Received> per) {
        OfficialClients.Received all = new OfficialClients.Received();
        per.values().forEach(r -> r.messages.forEach(all::add));
        return all;
    }

    @AfterEach
    void stop() {
        release.countDown();
        consumers.forEach(DefaultMQPushConsumer::shutdown);
        if (clients != null) {
            clients.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }
}
