package io.raftmq.broker.it;

import io.raftmq.broker.BrokerController;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the official RocketMQ 5.3.3 producer works unchanged against a RaftMQ group. Method: an in-process
 * NameServer and three-member group; a DefaultMQProducer (route from the NameServer, auto-create via TBW102) sends
 * sync, async, oneway and batch messages; every acknowledged send must be SEND_OK with an offset msgId pointing at
 * the leader, and the group's ConsumeQueues must end up holding every message (including the oneway ones).
 */
@SocketTest
class OfficialProducerTest {
    private static final String TOPIC = "OfficialTopic";

    @Test
    void syncAsyncOnewayAndBatchSendsAreStored(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            DefaultMQProducer p = new DefaultMQProducer("OfficialPG");
            p.setNamesrvAddr(c.namesrv());
            p.setInstanceName("official-" + System.nanoTime());
            p.setSendMsgTimeout(5000);
            p.start();
            try {
                int sent = 0;
                for (int i = 0; i < 4; i++, sent++) {
                    SendResult r = p.send(msg("sync-" + i));
                    assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                    assertThat(r.getOffsetMsgId()).hasSize(32);
                    assertThat(r.getMsgId()).isNotBlank();
                }
                List<CompletableFuture<SendResult>> async = new ArrayList<>();
                for (int i = 0; i < 4; i++, sent++) {
                    CompletableFuture<SendResult> f = new CompletableFuture<>();
                    p.send(msg("async-" + i), new SendCallback() {
                        @Override
                        public void onSuccess(SendResult r) {
                            f.complete(r);
                        }

                        @Override
                        public void onException(Throwable e) {
                            f.completeExceptionally(e);
                        }
                    });
                    async.add(f);
                }
                for (CompletableFuture<SendResult> f : async) {
                    assertThat(f.get(10, TimeUnit.SECONDS).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                }
                for (int i = 0; i < 2; i++, sent++) {
                    p.sendOneway(msg("oneway-" + i));
                }
                List<Message> batch = List.of(msg("batch-0"), msg("batch-1"), msg("batch-2"));
                SendResult br = p.send(batch);
                sent += batch.size();
                assertThat(br.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                assertThat(br.getOffsetMsgId().split(",")).hasSize(3);
                int expected = sent;
                TestCluster.await(10_000, expected + " messages in the leader's ConsumeQueues",
                    () -> stored(leader) == expected);
            } finally {
                p.shutdown();
            }
        }
    }

    private static long stored(BrokerController b) {
        long n = 0;
        for (int q = 0; q < 8; q++) {
            n += b.store().consumeQueues().maxOffset(TOPIC, q);
        }
        return n;
    }

    private static Message msg(String body) {
        Message m = new Message(TOPIC, "TagA", body.getBytes(StandardCharsets.UTF_8));
        m.setKeys(body);
        return m;
    }
}
