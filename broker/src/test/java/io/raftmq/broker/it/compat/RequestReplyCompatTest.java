package io.raftmq.broker.it.compat;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.exception.RequestTimeoutException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.RequestCallback;
import org.apache.rocketmq.client.utils.MessageUtil;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the official 5.3.3 client's request/reply works against a RaftMQ group (docs/consumer-protocol.md
 * "Request/reply"): {@code producer.request} with a callback gets the reply a responder built with the client's
 * {@code MessageUtil.createReplyMessage} and sent (SEND_REPLY_MESSAGE_V2 325, stored through Raft in the cluster's
 * reply topic, pushed with 326 to the requester); a request nobody answers times out cleanly. Method: one
 * three-member group; a push consumer on the request topic answers each request with "re:" + its body. The
 * client's blocking {@code request(msg, timeout)} is not tested: in 5.3.1 and later it returns as soon as the request
 * is stored, whatever the broker (docs/consumer-protocol.md explains).
 */
@SocketTest
class RequestReplyCompatTest {
    private static final String TOPIC = "RequestTopic";
    private static final int REQUESTS = 20;

    @TempDir
    static Path dir;
    private static TestCluster cluster;
    private static OfficialClients clients;
    private static DefaultMQProducer requester;

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster(dir, 3).startAll();
        cluster.awaitLeaderRegistered(10_000);
        clients = new OfficialClients(cluster);
        requester = clients.producer("RequesterPG");
        DefaultMQProducer replier = clients.producer("ReplierPG");
        requester.send(new Message(TOPIC, "creates the topic".getBytes(StandardCharsets.UTF_8))); // not a request
        DefaultMQPushConsumer responder = new DefaultMQPushConsumer("ResponderCG");
        responder.setNamesrvAddr(cluster.namesrv());
        responder.setInstanceName("responder-" + System.nanoTime());
        responder.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET);
        responder.subscribe(TOPIC, "*");
        responder.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            for (MessageExt m : msgs) {
                if (m.getProperty("CORRELATION_ID") == null) {
                    continue; // the message that created the topic
                }
                try {
                    Message reply = MessageUtil.createReplyMessage(m, ("re:" + OfficialClients.body(m))
                        .getBytes(StandardCharsets.UTF_8));
                    replier.send(reply, 3000);
                } catch (Exception e) {
                    return ConsumeConcurrentlyStatus.RECONSUME_LATER;
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        responder.start();
        // the responder's first rebalance: a request sent before it has a queue would wait for a retry
        TestCluster.await(15_000, "the responder holds the topic's queues", () -> {
            try {
                return !responder.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().isEmpty();
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    @AfterAll
    static void stop() {
        clients.close();
        cluster.close();
    }

    @Test
    void asyncRequestsGetTheirReplies() throws Exception {
        Map<Integer, CompletableFuture<String>> replies = new ConcurrentHashMap<>();
        for (int i = 0; i < REQUESTS; i++) {
            replies.put(i, request(TOPIC, "a" + i, 10_000));
        }
        for (int i = 0; i < REQUESTS; i++) {
            assertThat(replies.get(i).get(15, TimeUnit.SECONDS)).isEqualTo("re:a" + i);
        }
    }

    @Test
    void aRequestNobodyAnswersTimesOut() throws Exception {
        CompletableFuture<String> reply = request(TOPIC + "Silent", "nobody listens", 1500);
        assertThatThrownBy(() -> reply.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(RequestTimeoutException.class);
    }

    /** An asynchronous request; the future completes with the reply's body or the client's exception. */
    private static CompletableFuture<String> request(String topic, String body, long timeoutMs) throws Exception {
        CompletableFuture<String> f = new CompletableFuture<>();
        requester.request(new Message(topic, body.getBytes(StandardCharsets.UTF_8)), new RequestCallback() {
            @Override
            public void onSuccess(Message message) {
                f.complete(new String(message.getBody(), StandardCharsets.UTF_8));
            }

            @Override
            public void onException(Throwable e) {
                f.completeExceptionally(e);
            }
        }, timeoutMs);
        return f;
    }
}
