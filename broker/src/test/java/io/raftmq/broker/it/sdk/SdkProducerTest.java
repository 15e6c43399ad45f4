package io.raftmq.broker.it.sdk;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.MessageQueueSelector;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.producer.SendResult;
import io.raftmq.client.producer.SendStatus;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the SDK producer's sync, async, oneway, batch and ordered sends are stored in a form the official 5.3.3
 * consumer reads exactly as sent: body (a compressed one inflated), tags, keys, user properties, and the msgId the
 * producer reported (UNIQ_KEY). Method: a three-member TestCluster, one SDK producer on a fresh topic (auto-created
 * through TBW102), an official push consumer from the first offset; every message is identified by its body.
 */
@SocketTest
class SdkProducerTest {
    private static final String TOPIC = "SdkTopic";

    @Test
    void everySendKindIsReadBackByTheOfficialConsumer(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            c.awaitLeaderRegistered(10_000);
            Map<String, String> sentIds = new ConcurrentHashMap<>();
            try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("SdkPG").build())) {
                p.start();
                for (int i = 0; i < 5; i++) {
                    SendResult r = p.send(msg("sync-" + i));
                    assertThat(r.status()).isEqualTo(SendStatus.SEND_OK);
                    assertThat(r.msgId()).hasSize(32);
                    assertThat(r.offsetMsgId()).hasSize(32);
                    sentIds.put("sync-" + i, r.msgId());
                }
                List<CompletableFuture<SendResult>> async = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    async.add(p.sendAsync(msg("async-" + i)));
                }
                for (int i = 0; i < 5; i++) {
                    sentIds.put("async-" + i, async.get(i).get(10, TimeUnit.SECONDS).msgId());
                }
                p.sendOneway(msg("oneway-0"));
                sentIds.put("oneway-0", "");
                SendResult b = p.sendBatch(List.of(msg("batch-0"), msg("batch-1"), msg("batch-2")));
                String[] batchIds = b.msgId().split(",");
                assertThat(batchIds).hasSize(3);
                assertThat(b.offsetMsgId().split(",")).hasSize(3);
                for (int i = 0; i < 3; i++) {
                    sentIds.put("batch-" + i, batchIds[i]);
                }
                MessageQueueSelector byKey = MessageQueueSelector.byKeyHash();
                SendResult o1 = p.send(msg("ordered-0"), byKey, "customer-7");
                SendResult o2 = p.send(msg("ordered-1"), byKey, "customer-7");
                assertThat(o2.queue()).isEqualTo(o1.queue());
                assertThat(o2.queueOffset()).isGreaterThan(o1.queueOffset());
                sentIds.put("ordered-0", o1.msgId());
                sentIds.put("ordered-1", o2.msgId());
                String big = "big-" + "compressible text ".repeat(600); // 10 KiB: compressed on the wire
                SendResult br = p.send(new Message(TOPIC, "TagBig", big.getBytes(StandardCharsets.UTF_8))
                    .keys("big-key").property("color", "blue"));
                sentIds.put(big, br.msgId());
            }
            String big = sentIds.keySet().stream().filter(k -> k.startsWith("big-")).findFirst().orElseThrow();
            Map<String, MessageExt> got = consumeAll(c, sentIds.size());
            assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(sentIds.keySet());
            for (Map.Entry<String, String> e : sentIds.entrySet()) {
                MessageExt m = got.get(e.getKey());
                if (e.getKey().startsWith("big-")) {
                    assertThat(m.getTags()).isEqualTo("TagBig");
                    assertThat(m.getKeys()).isEqualTo("big-key");
                    assertThat(m.getUserProperty("color")).isEqualTo("blue");
                    // the consumer inflates the body and clears the flag; the stored record shows the compression
                    assertThat(m.getStoreSize()).as("stored size of the compressed body").isLessThan(big.length() / 4);
                } else {
                    assertThat(m.getTags()).isEqualTo("TagA");
                    assertThat(m.getKeys()).isEqualTo("key-" + e.getKey());
                    assertThat(m.getUserProperty("origin")).isEqualTo("sdk");
                }
                if (!e.getValue().isEmpty()) {
                    assertThat(m.getMsgId()).as("msgId of " + e.getKey()).isEqualTo(e.getValue());
                }
            }
        }
    }

    private static Map<String, MessageExt> consumeAll(TestCluster c, int expected) throws Exception {
        Map<String, MessageExt> got = new ConcurrentHashMap<>();
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("SdkCG");
        consumer.setNamesrvAddr(c.namesrv());
        consumer.setInstanceName("sdk-c-" + System.nanoTime());
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(TOPIC, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            for (MessageExt m : msgs) {
                got.put(new String(m.getBody(), StandardCharsets.UTF_8), m);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        try {
            TestCluster.await(15_000, expected + " messages consumed", () -> got.size() >= expected);
        } finally {
            consumer.shutdown();
        }
        return got;
    }

    private static Message msg(String body) {
        return new Message(TOPIC, "TagA", body.getBytes(StandardCharsets.UTF_8)).keys("key-" + body)
            .property("origin", "sdk");
    }
}
