package io.raftmq.broker.it.compat;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.body.CMResult;
import org.apache.rocketmq.remoting.protocol.body.ConsumeMessageDirectlyResult;
import org.apache.rocketmq.remoting.protocol.body.ConsumerRunningInfo;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: mqadmin's consumer operations work against a RaftMQ group (docs/consumer-protocol.md "Offset reset and
 * consumer introspection"): {@code resetOffsetByTime} moves a live push consumer back and it consumes again from
 * there; {@code consumerStatus} (307) and {@code consumeMessage} (309) reach the consumer through the broker.
 * Method: one three-member group; 20 messages in two rounds with a reset time between them; the official push
 * consumer consumes all; the admin API mqadmin's commands call resets to that time, and the second round's
 * messages must arrive a second time while the first round's arrive once.
 */
@SocketTest
class ConsumerControlCompatTest {
    private static final String TOPIC = "ControlTopic";
    private static final String GROUP = "ControlCG";

    @Test
    void resetByTimeRunningInfoAndDirectConsume(@TempDir Path dir) throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3).startAll();
             OfficialClients clients = new OfficialClients(cluster)) {
            cluster.awaitLeaderRegistered(10_000);
            DefaultMQProducer p = clients.producer("ControlPG");
            OfficialClients.sendAll(p, TOPIC, "first", 10);
            long firstRoundEnd = System.currentTimeMillis();
            TestCluster.await(2_000, "the clock passes the first round", () ->
                System.currentTimeMillis() > firstRoundEnd + 2);
            long resetTime = System.currentTimeMillis();
            TestCluster.await(2_000, "the clock passes the reset time", () -> System.currentTimeMillis() > resetTime);
            List<SendResult> second = OfficialClients.sendAll(p, TOPIC, "second", 10);
            OfficialClients.Received got = new OfficialClients.Received();
            DefaultMQPushConsumer consumer = clients.push(GROUP, TOPIC, MessageModel.CLUSTERING, got);
            TestCluster.await(15_000, "every message consumed once", () -> got.bodies.size() == 20);
            DefaultMQAdminExt admin = clients.admin();

            assertThatThrownBy(() -> admin.resetOffsetByTimestamp(TOPIC, GROUP, System.currentTimeMillis() + 3_600_000,
                true)).as("a reset to a future time is refused").hasMessageContaining("is in the future");
            Map<MessageQueue, Long> table = admin.resetOffsetByTimestamp(TOPIC, GROUP, resetTime, true);
            assertThat(table).isNotEmpty();
            assertThat(table.values().stream().mapToLong(Long::longValue).sum()).as("first-round messages kept")
                .isEqualTo(10);
            // the client takes a reset by dropping its queues, waiting 10 s, committing the reset offsets and leaving
            // the queues to its next rebalance (every 20 s): the wait asks for that rebalance sooner
            TestCluster.await(40_000, "the second round consumed again", () -> {
                rebalanceOnceReset(consumer, admin, table);
                return second.stream().allMatch(r -> count(got, r) == 2);
            });
            for (int i = 0; i < 10; i++) {
                assertThat(got.bodies.get("first-" + i).get()).as("first-" + i).isEqualTo(1);
            }

            String clientId = admin.examineConsumerConnectionInfo(GROUP).getConnectionSet().iterator().next()
                .getClientId();
            ConsumerRunningInfo info = admin.getConsumerRunningInfo(GROUP, clientId, false);
            assertThat(info.getSubscriptionSet()).anyMatch(s -> s.getTopic().equals(TOPIC));
            ConsumeMessageDirectlyResult direct = admin.consumeMessageDirectly(GROUP, clientId, TOPIC,
                second.get(0).getOffsetMsgId());
            assertThat(direct.getConsumeResult()).isEqualTo(CMResult.CR_SUCCESS);
        }
    }

    /**
     * Asks the consumer to re-balance once it has dropped the topic's queues and the broker has applied its commits
     * of the reset offsets (the requests that commit and that read the offset back travel on different client
     * threads, and the broker serves them concurrently).
     */
    private static void rebalanceOnceReset(DefaultMQPushConsumer consumer, DefaultMQAdminExt admin,
                                           Map<MessageQueue, Long> table) {
        var impl = consumer.getDefaultMQPushConsumerImpl();
        boolean dropped = impl.getRebalanceImpl().getProcessQueueTable().keySet().stream()
            .noneMatch(q -> q.getTopic().equals(TOPIC));
        try {
            if (dropped && admin.examineConsumeStats(GROUP).getOffsetTable().entrySet().stream()
                .filter(e -> e.getKey().getTopic().equals(TOPIC))
                .allMatch(e -> e.getValue().getConsumerOffset() == table.get(e.getKey()))) {
                impl.getmQClientFactory().rebalanceImmediately();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int count(OfficialClients.Received got, SendResult r) {
        var c = got.messages.stream().filter(m -> m.getMsgId().equals(r.getMsgId())).count();
        return (int) c;
    }
}
