package io.raftmq.broker.it.compat;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: SQL92 subscriptions of the official 5.3.3 client work against a RaftMQ group (docs/consumer-protocol.md "SQL92
 * filters"): a push consumer subscribed with {@code MessageSelector.bySql} receives exactly the messages whose
 * properties pass (the client does not filter SQL92 itself, so anything else delivered would reach the listener),
 * and a consumer whose expression does not compile is refused at start (CHECK_CLIENT_CONFIG) with the compiler's
 * remark. Method: one three-member group; 60 messages with tags A/B and user properties {@code a} (0..59) and
 * {@code region}; the expected set is computed here from the same rule.
 */
@SocketTest
class SqlFilterCompatTest {
    private static final String TOPIC = "SqlTopic";
    private static final int SENT = 60;

    @TempDir
    static Path dir;
    private static TestCluster cluster;
    private static OfficialClients clients;
    private final List<DefaultMQPushConsumer> clientsToStop = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster(dir, 3).startAll();
        cluster.awaitLeaderRegistered(10_000);
        clients = new OfficialClients(cluster);
        DefaultMQProducer p = clients.producer("SqlPG");
        for (int i = 0; i < SENT; i++) {
            Message m = new Message(TOPIC, i % 2 == 0 ? "TagA" : "TagB", ("sql-" + i).getBytes(StandardCharsets.UTF_8));
            m.putUserProperty("a", Integer.toString(i));
            m.putUserProperty("region", i % 3 == 0 ? "eu-west" : "us-east");
            assertThat(p.send(m).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        }
    }

    @AfterAll
    static void stop() {
        clients.close();
        cluster.close();
    }

    @Test
    void pushConsumerReceivesExactlyTheMessagesTheExpressionSelects() throws Exception {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < SENT; i++) {
            if (i % 2 == 0 && i >= 10 && i <= 45 && i % 3 == 0) {
                expected.add("sql-" + i);
            }
        }
        OfficialClients.Received received = new OfficialClients.Received();
        DefaultMQPushConsumer c = consumer("SqlCG", "TAGS IN ('TagA') AND a BETWEEN 10 AND 45 AND region = 'eu-west'");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            msgs.forEach(received::add);
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        TestCluster.await(15_000, "every selected message consumed",
            () -> received.bodies.keySet().containsAll(expected));
        assertThat(received.bodies.keySet()).isEqualTo(expected);
        assertThat(received.total()).isEqualTo(expected.size());
    }

    @Test
    void aConsumerWhoseExpressionDoesNotCompileIsRefusedAtStart() throws Exception {
        DefaultMQPushConsumer c = consumer("SqlBadCG", "a > 'ten'");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, context) ->
            ConsumeConcurrentlyStatus.CONSUME_SUCCESS);
        assertThatThrownBy(c::start).isInstanceOf(MQClientException.class)
            .hasMessageContaining("does not compile").hasMessageContaining("numbers only");
    }

    private DefaultMQPushConsumer consumer(String group, String sql) throws MQClientException {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(cluster.namesrv());
        c.setInstanceName(group + "-" + System.nanoTime());
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(TOPIC, MessageSelector.bySql(sql));
        clientsToStop.add(c);
        return c;
    }

    @AfterEach
    void stopConsumers() {
        clientsToStop.forEach(DefaultMQPushConsumer::shutdown);
    }
}
