package io.raftmq.broker.it;

import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: produce-then-consume with the official 5.3.3 client against a RaftMQ group (send path + pull path
 * with long polling, wired by the controller). Method: a DefaultMQProducer sends N messages (all SEND_OK), a
 * DefaultMQPushConsumer subscribed from the first offset must receive every one of them, identified by body.
 */
@SocketTest
class OfficialPushConsumerTest {
    private static final String TOPIC = "PushTopic";

    @Test
    void pushConsumerReceivesEveryAcknowledgedMessage(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            c.awaitLeaderRegistered(10_000);
            DefaultMQProducer p = new DefaultMQProducer("PushPG");
            p.setNamesrvAddr(c.namesrv());
            p.setInstanceName("push-p-" + System.nanoTime());
            p.setSendMsgTimeout(5000);
            p.start();
            Set<String> sent = ConcurrentHashMap.newKeySet();
            Set<String> received = ConcurrentHashMap.newKeySet();
            DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("PushCG");
            try {
                for (int i = 0; i < 10; i++) {
                    String body = "push-" + i;
                    assertThat(p.send(new Message(TOPIC, "TagA", body.getBytes(StandardCharsets.UTF_8)))
                        .getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                    sent.add(body);
                }
                consumer.setNamesrvAddr(c.namesrv());
                consumer.setInstanceName("push-c-" + System.nanoTime());
                consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
                consumer.subscribe(TOPIC, "*");
                consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
                    for (MessageExt m : msgs) {
                        received.add(new String(m.getBody(), StandardCharsets.UTF_8));
                    }
                    return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                });
                consumer.start();
                // tight: the first rebalance and pulls take ~1 s; a stall (e.g. pulls refused with 25 after a skipped
                // heartbeat, see PullMessageProcessor) would last until the client's next 20/30 s timer
                TestCluster.await(8_000, "every sent message consumed", () -> received.containsAll(sent));
                assertThat(received).isEqualTo(sent);
            } finally {
                consumer.shutdown();
                p.shutdown();
            }
        }
    }
}
