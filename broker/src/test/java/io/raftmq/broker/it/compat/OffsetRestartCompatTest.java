package io.raftmq.broker.it.compat;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.admin.ConsumeStats;
import org.apache.rocketmq.remoting.protocol.admin.OffsetWrapper;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: consumer offsets committed by the official 5.3.3 push consumer survive restarts (docs/protocol.md §5.5): a new
 * consumer of the same group resumes at the committed offsets, it does not rewind to 0 (its CONSUME_FROM_FIRST_OFFSET
 * would then re-deliver everything). Method: consume a first batch and shut the consumer down (it persists its
 * offsets); wait until mqadmin's consumerProgress shows them; then (1) restart the whole group gracefully (every member
 * recovers from its own disk), or (2) restart only the leader; check the offsets again, send a second batch and
 * start a new consumer of the group: it must receive exactly the second batch.
 */
@SocketTest
class OffsetRestartCompatTest {
    private static final String TOPIC = "OffsetTopic";
    private static final String GROUP = "OffsetCG";

    @TempDir
    Path dir;

    @Test
    void offsetsSurviveARestartOfTheWholeGroup() throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            Map<Integer, Long> before = consumeFirstBatch(c);
            for (int i = 0; i < c.brokers.size(); i++) {
                c.brokers.get(i).shutdown();
            }
            for (int i = 0; i < c.brokers.size(); i++) {
                c.restart(i);
            }
            resumeAfterRestart(c, before);
        }
    }

    @Test
    void offsetsSurviveARestartOfTheLeader() throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            Map<Integer, Long> before = consumeFirstBatch(c);
            BrokerController oldLeader = c.leader();
            c.restart(c.indexOf(oldLeader));
            resumeAfterRestart(c, before);
        }
    }

    /** Sends and consumes 20 messages; returns the committed offset per queue once mqadmin reports it. */
    private static Map<Integer, Long> consumeFirstBatch(TestCluster c) throws Exception {
        c.awaitLeaderRegistered(10_000);
        try (OfficialClients clients = new OfficialClients(c)) {
            DefaultMQProducer p = clients.producer("OffsetPG");
            OfficialClients.sendAll(p, TOPIC, "first", 20);
            OfficialClients.Received got = new OfficialClients.Received();
            DefaultMQPushConsumer consumer = clients.push(GROUP, TOPIC, MessageModel.CLUSTERING, got);
            TestCluster.await(10_000, "first batch consumed", () -> got.bodies.size() == 20);
            consumer.shutdown(); // persists its offsets
            DefaultMQAdminExt admin = clients.admin();
            Map<Integer, Long> committed = new TreeMap<>();
            TestCluster.await(10_000, "offsets committed up to the queue ends",
                () -> committedAtEnd(admin, committed));
            assertThat(committed.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(20);
            return committed;
        }
    }

    private static void resumeAfterRestart(TestCluster c, Map<Integer, Long> before) throws Exception {
        c.awaitLeaderRegistered(10_000);
        try (OfficialClients clients = new OfficialClients(c)) {
            DefaultMQAdminExt admin = clients.admin();
            Map<Integer, Long> after = new TreeMap<>();
            TestCluster.await(10_000, "offsets readable after the restart", () -> committedAtEnd(admin, after));
            assertThat(after).isEqualTo(before);
            DefaultMQProducer p = clients.producer("OffsetPG2");
            OfficialClients.sendAll(p, TOPIC, "second", 8);
            OfficialClients.Received got = new OfficialClients.Received();
            clients.push(GROUP, TOPIC, MessageModel.CLUSTERING, got);
            TestCluster.await(10_000, "second batch consumed", () -> got.total() >= 8);
            assertThat(got.bodies.keySet()).allMatch(b -> b.startsWith("second-")).hasSize(8);
            assertThat(got.total()).isEqualTo(8);
        }
    }

    /** Reads consumerProgress of the group; true when every queue of the topic is consumed up to its end. */
    private static boolean committedAtEnd(DefaultMQAdminExt admin, Map<Integer, Long> out) {
        try {
            ConsumeStats cs = admin.examineConsumeStats(GROUP);
            out.clear();
            for (Map.Entry<MessageQueue, OffsetWrapper> e : cs.getOffsetTable().entrySet()) {
                if (e.getKey().getTopic().equals(TOPIC)) {
                    if (e.getValue().getConsumerOffset() != e.getValue().getBrokerOffset()) {
                        return false;
                    }
                    out.put(e.getKey().getQueueId(), e.getValue().getConsumerOffset());
                }
            }
            return out.size() == 4;
        } catch (Exception e) { // broker not answering yet
            return false;
        }
    }
}
