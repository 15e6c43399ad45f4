package io.raftmq.broker.it.compat;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.admin.TopicOffset;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the subscription-group admin commands of the official {@code mqadmin} 5.3.3 against a RaftMQ group
 * (docs/consumer-protocol.md "Subscription-group admin"), each checked in the replicated state of every member:
 * {@code skipAccumulatedMessage} moves the group's offsets to the queues' ends; {@code cloneGroupOffset} copies them
 * to another group; {@code updateSubGroup} with consumeEnable false makes the group's pulls refused with RocketMQ's
 * code (16) and remark, and with true served again, and its retryQueueNums sizes the group's retry topic;
 * {@code deleteSubGroup -r} removes a group and its offsets. Bad input changes nothing: a clone from a group without
 * offsets answers 22, a delete of an unknown group 26. Method: one three-member group; a push consumer consumes 10
 * messages and stops (it commits its offsets), 7 more are sent; then the commands in-process, in order.
 */
@SocketTest
class SubscriptionGroupAdminCompatTest {
    private static final String TOPIC = "GroupAdminTopic";
    private static final String GROUP = "GroupAdminCG";
    private static final String CLONE = "GroupAdminClone";
    private static final String GATED = "GroupAdminGated";

    @Test
    void skipCloneUpdateAndDeleteThroughMqadmin(@TempDir Path dir) throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3).startAll();
             OfficialClients clients = new OfficialClients(cluster)) {
            BrokerController leader = cluster.awaitLeaderRegistered(10_000);
            String leaderAddr = leader.config().brokerAddr();
            DefaultMQProducer p = clients.producer("GroupAdminPG");
            OfficialClients.sendAll(p, TOPIC, "a", 10);
            OfficialClients.Received got = new OfficialClients.Received();
            DefaultMQPushConsumer c = clients.push(GROUP, TOPIC, MessageModel.CLUSTERING, got);
            TestCluster.await(15_000, "10 messages consumed", () -> got.bodies.size() >= 10);
            c.shutdown(); // commits its offsets
            awaitOffsets(cluster, GROUP, 10);
            OfficialClients.sendAll(p, TOPIC, "b", 7);
            DefaultMQAdminExt admin = clients.admin();
            Map<Integer, Long> ends = ends(admin);
            assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(17);

            mqadmin(cluster, "skipAccumulatedMessage", "-g", GROUP, "-t", TOPIC);
            awaitEqual(cluster, GROUP, ends);

            mqadmin(cluster, "cloneGroupOffset", "-s", GROUP, "-d", CLONE, "-t", TOPIC);
            awaitEqual(cluster, CLONE, ends);
            assertThatThrownBy(() -> admin.getDefaultMQAdminExtImpl().getMqClientInstance().getMQClientAPIImpl()
                .cloneGroupOffset(leaderAddr, "NoOffsetsGroup", "NoOffsetsCopy", TOPIC, false, 5000))
                .satisfies(e -> assertThat(code(e)).isEqualTo(22));
            assertThat(leader.offsets().topicsOf("NoOffsetsCopy")).isEmpty();

            gatedGroup(cluster, admin, leaderAddr);

            mqadmin(cluster, "deleteSubGroup", "-c", "DefaultCluster", "-g", CLONE, "-r", "true");
            for (BrokerController b : cluster.brokers) {
                TestCluster.await(10_000, "offsets of " + CLONE + " gone", () -> b.offsets().topicsOf(CLONE).isEmpty()
                    && b.groups().get(CLONE) == null);
            }
            assertThat(leader.offsets().queueOffsets(GROUP, TOPIC)).isEqualTo(ends); // the other group is untouched
            assertThatThrownBy(() -> admin.deleteSubscriptionGroup(leaderAddr, "NoSuchGroup", true))
                .satisfies(e -> assertThat(code(e)).isEqualTo(26));
        }
    }

    /** updateSubGroup: consumeEnable false refuses pulls (16), true serves them; retryQueueNums sizes %RETRY%. */
    private static void gatedGroup(TestCluster cluster, DefaultMQAdminExt admin, String leaderAddr) throws Exception {
        mqadmin(cluster, "updateSubGroup", "-c", "DefaultCluster", "-g", GATED, "-s", "false", "-q", "2", "-r", "3");
        SubscriptionGroupConfig cfg = admin.examineSubscriptionGroupConfig(leaderAddr, GATED);
        assertThat(cfg.isConsumeEnable()).isFalse();
        assertThat(cfg.getRetryQueueNums()).isEqualTo(2);
        assertThat(cfg.getRetryMaxTimes()).isEqualTo(3);
        DefaultMQPullConsumer pull = new DefaultMQPullConsumer(GATED);
        pull.setNamesrvAddr(cluster.namesrv());
        pull.setInstanceName("gated-" + System.nanoTime());
        pull.start();
        try {
            MessageQueue mq = new MessageQueue(TOPIC, TestCluster.GROUP, 0);
            assertThatThrownBy(() -> pull.pull(mq, "*", 0, 32))
                .isInstanceOfSatisfying(MQBrokerException.class, e -> {
                    assertThat(e.getResponseCode()).isEqualTo(16);
                    assertThat(e.getErrorMessage()).isEqualTo("subscription group no permission, " + GATED);
                });
            TestCluster.await(15_000, "%RETRY%" + GATED + " created with 2 queues (consumer heartbeat)", () ->
                retryQueues(admin) == 2);
            mqadmin(cluster, "updateSubGroup", "-c", "DefaultCluster", "-g", GATED, "-s", "true");
            TestCluster.await(10_000, "pulls of " + GATED + " served again", () -> {
                try {
                    PullResult r = pull.pull(mq, "*", 0, 32);
                    return r.getPullStatus() == PullStatus.FOUND;
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            pull.shutdown();
        }
    }

    /** The response code a client call failed with (the client wraps broker codes in either exception). */
    private static int code(Throwable t) {
        if (t instanceof MQBrokerException b) {
            return b.getResponseCode();
        }
        return t instanceof MQClientException c ? c.getResponseCode() : -1;
    }

    private static int retryQueues(DefaultMQAdminExt admin) {
        try {
            return admin.examineTopicRouteInfo("%RETRY%" + GATED).getQueueDatas().get(0).getWriteQueueNums();
        } catch (Exception e) {
            return -1; // not routed yet
        }
    }

    /** Each queue's end (max offset) as the leader reports it to mqadmin. */
    private static Map<Integer, Long> ends(DefaultMQAdminExt admin) throws Exception {
        Map<Integer, Long> m = new TreeMap<>();
        for (Map.Entry<MessageQueue, TopicOffset> e : admin.examineTopicStats(TOPIC).getOffsetTable().entrySet()) {
            m.put(e.getKey().getQueueId(), e.getValue().getMaxOffset());
        }
        return m;
    }

    private static void awaitOffsets(TestCluster cluster, String group, long total) throws InterruptedException {
        for (BrokerController b : cluster.brokers) {
            TestCluster.await(15_000, group + " offsets summing to " + total, () ->
                b.offsets().queueOffsets(group, TOPIC).values().stream().mapToLong(Long::longValue).sum() == total);
        }
    }

    private static void awaitEqual(TestCluster cluster, String group, Map<Integer, Long> expected)
            throws InterruptedException {
        for (BrokerController b : cluster.brokers) {
            TestCluster.await(15_000, group + " offsets " + expected + " on every member", () ->
                b.offsets().queueOffsets(group, TOPIC).equals(expected));
        }
    }

    private static String mqadmin(TestCluster cluster, String... args) {
        return MqAdminCli.run(cluster.namesrv(), args);
    }
}
