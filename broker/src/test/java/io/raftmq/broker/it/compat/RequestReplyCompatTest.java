package io.raftmq.broker.it.compat;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
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
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * three-member group; a push consumer on the request topic answers each request with "re:" + its body; on a second
 * topic the responder sends its replies to a follower (forwarded to the leader, pushed by the leader to the
 * requester connected to it: requester and responder reach different members). The
 * client's blocking {@code request(msg, timeout)} is not tested: in 5.3.1 and later it returns as soon as the request
 * is stored, whatever the broker (docs/consumer-protocol.md explains).
 */
@SocketTest
class RequestReplyCompatTest {
    private static final String TOPIC = "RequestTopic";
    private static final String VIA_FOLLOWER = "RequestViaFollower";
    private static final int REQUESTS = 20;
    private static final List<DefaultMQPushConsumer> responders = new ArrayList<>();

    /** Sends a reply message one way or another. */
    @FunctionalInterface
    private interface ReplySender {
        void send(Message reply) throws Exception;
    }

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
        requester.send(new Message(VIA_FOLLOWER, "creates the topic".getBytes(StandardCharsets.UTF_8)));
        responder("ResponderCG", TOPIC, reply -> replier.send(reply, 3000));
        responder("ViaFollowerCG", VIA_FOLLOWER, RequestReplyCompatTest::replyThroughAFollower);
    }

    /** A responder on {@code topic} that answers each request with "re:" + its body through {@code sender}. */
    private static void responder(String group, String topic, ReplySender sender) throws Exception {
        DefaultMQPushConsumer responder = new DefaultMQPushConsumer(group);
        responder.setNamesrvAddr(cluster.namesrv());
        responder.setInstanceName("responder-" + System.nanoTime());
        responder.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET);
        responder.subscribe(topic, "*");
        responder.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            for (MessageExt m : msgs) {
                if (m.getProperty("CORRELATION_ID") == null) {
                    continue; // the message that created the topic
                }
                try {
                    sender.send(MessageUtil.createReplyMessage(m, ("re:" + OfficialClients.body(m))
                        .getBytes(StandardCharsets.UTF_8)));
                } catch (Exception e) {
                    return ConsumeConcurrentlyStatus.RECONSUME_LATER;
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        responder.start();
        responders.add(responder);
        // the responder's first rebalance: a request sent before it has a queue would wait for a retry
        TestCluster.await(15_000, "the responder holds the topic's queues", () -> {
            try {
                return !responder.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().isEmpty();
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    /**
     * Sends the reply as the official client would (SEND_REPLY_MESSAGE_V2, its properties string) but to a follower,
     * which forwards it to the leader; the requester is connected to the leader only (a producer heartbeats to
     * masters), so the reply crosses members.
     */
    private static void replyThroughAFollower(Message reply) throws Exception {
        String props = MessageDecoder.messageProperties2String(reply.getProperties());
        SendMessageRequestHeader h = new SendMessageRequestHeader("ViaFollowerPG", reply.getTopic(), "TBW102", 4, 0, 0,
            System.currentTimeMillis(), 0, props, 0, false, false, null, TestCluster.GROUP);
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.SEND_REPLY_MESSAGE_V2, h.asV2())
            .setBody(reply.getBody());
        RemotingCommand r = cluster.client.invokeSync(cluster.follower().config().brokerAddr(), req, 3000);
        try {
            if (r.code() != ResponseCode.SUCCESS) {
                throw new IllegalStateException("reply through a follower refused: " + r.code() + " " + r.remark());
            }
        } finally {
            r.release();
        }
    }

    @AfterAll
    static void stop() {
        responders.forEach(DefaultMQPushConsumer::shutdown);
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
    void aReplySentToAFollowerReachesTheRequesterConnectedToTheLeader() throws Exception {
        Map<Integer, CompletableFuture<String>> replies = new ConcurrentHashMap<>();
        for (int i = 0; i < 5; i++) {
            replies.put(i, request(VIA_FOLLOWER, "f" + i, 10_000));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(replies.get(i).get(15, TimeUnit.SECONDS)).isEqualTo("re:f" + i);
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
