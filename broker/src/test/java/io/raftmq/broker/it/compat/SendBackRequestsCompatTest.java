package io.raftmq.broker.it.compat;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.ConsumerSendMsgBackRequestHeader;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.client.protocol.header.SendMessageResponseHeader;
import io.raftmq.client.protocol.header.ViewMessageRequestHeader;
import io.raftmq.commitlog.message.MessageIds;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: CONSUMER_SEND_MSG_BACK and the retry-topic send path at the protocol level (docs/protocol.md §2.7), on a
 * real group. Method: raw requests to the leader: an offset that holds no message answers 1 {@code look message by
 * offset failed, N} and stores nothing; a negative delay level sends the message straight to a %DLQ% topic created
 * on demand (1 queue, perm 6), with RETRY_TOPIC, ORIGIN_MESSAGE_ID and reconsumeTimes + 1 and no DELAY; the
 * client's fallback send into %RETRY%group with reconsumeTimes above the group's maximum (16) lands in
 * %DLQ%group, and one at the maximum stays a retry (topic created on demand with 1 queue), parked for its delay
 * level in SCHEDULE_TOPIC_XXXX on its way there.
 */
@SocketTest
class SendBackRequestsCompatTest {
    private static final String SCHEDULE = "SCHEDULE_TOPIC_XXXX";

    @Test
    void sendBackAndRetryTopicSends(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            String addr = leader.config().brokerAddr();
            long phys = send(c, addr, TestCluster.sendRequest("SbTopic", 0, "sb-body", "UNIQ-SB-1"));

            RemotingCommand bad = sendBack(c, addr, phys + 1, "SbCG", 0);
            assertThat(bad.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
            assertThat(bad.remark()).isEqualTo("look message by offset failed, " + (phys + 1));
            bad.release();
            assertThat(leader.topics().get("%RETRY%SbCG")).isNull();

            RemotingCommand ok = sendBack(c, addr, phys, "SbCG", -1);
            assertThat(ok.code()).as(ok.remark()).isEqualTo(ResponseCode.SUCCESS);
            ok.release();
            assertThat(leader.topics().get("%DLQ%SbCG").writeQueueNums()).isEqualTo(1);
            assertThat(leader.topics().get("%DLQ%SbCG").perm()).isEqualTo(6);
            StoredMessage dead = readFirst(c, leader, "%DLQ%SbCG");
            assertThat(dead.reconsumeTimes()).isEqualTo(1);
            assertThat(dead.preparedTransactionOffset()).isZero();
            String props = dead.properties();
            assertThat(MessageProperties.get(props, "RETRY_TOPIC")).isEqualTo("SbTopic");
            assertThat(MessageProperties.get(props, "ORIGIN_MESSAGE_ID")).isNotNull();
            assertThat(MessageProperties.get(props, "UNIQ_KEY")).isEqualTo("UNIQ-SB-1");
            assertThat(MessageProperties.get(props, "DELAY")).isNull();

            send(c, addr, retrySend("%RETRY%FbCG", 16, "fb-16"));
            assertThat(leader.topics().get("%RETRY%FbCG").writeQueueNums()).isEqualTo(1);
            // at the maximum it stays a retry: parked for its DELAY level 3 (queue 2) on its way to %RETRY%FbCG
            assertThat(leader.store().consumeQueues().maxOffset(SCHEDULE, 2)).isEqualTo(1);
            assertThat(MessageProperties.get(readFirst(c, leader, SCHEDULE, 2).properties(), "REAL_TOPIC"))
                .isEqualTo("%RETRY%FbCG");
            send(c, addr, retrySend("%RETRY%FbCG", 17, "fb-17"));
            assertThat(leader.store().consumeQueues().maxOffset("%DLQ%FbCG", 0)).isEqualTo(1);
            assertThat(leader.store().consumeQueues().maxOffset(SCHEDULE, 2)).as("a dead letter is not parked")
                .isEqualTo(1);
        }
    }

    /** Sends and returns the stored message's physical offset (from its offset msgId). */
    private static long send(TestCluster c, String addr, RemotingCommand req) throws Exception {
        RemotingCommand r = c.client.invokeSync(addr, req, 5000);
        try {
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
            String msgId = SendMessageResponseHeader.decode(r.extFields()).msgId();
            return MessageIds.decodeOffsetMsgId(msgId).physicalOffset();
        } finally {
            r.release();
        }
    }

    private static RemotingCommand sendBack(TestCluster c, String addr, long offset, String group, int level)
            throws Exception {
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.CONSUMER_SEND_MSG_BACK,
            new ConsumerSendMsgBackRequestHeader(offset, group, level, null, "SbTopic", false, 16, null));
        return c.client.invokeSync(addr, req, 5000);
    }

    /** The client's fallback: an ordinary send into the retry topic with the count in the header, DELAY set. */
    private static RemotingCommand retrySend(String topic, int reconsumeTimes, String body) {
        String props = "UNIQ_KEY\u0001" + body + "\u0002DELAY\u00013\u0002RETRY_TOPIC\u0001T\u0002";
        SendMessageRequestHeader h = new SendMessageRequestHeader("CLIENT_INNER_PRODUCER", topic, "TBW102", 4, -1, 0,
            System.currentTimeMillis(), 0, props, reconsumeTimes, false, false, null, TestCluster.GROUP);
        return RemotingCommand.createRequest(RequestCode.SEND_MESSAGE_V2, h.asV2())
            .setBody(body.getBytes(StandardCharsets.UTF_8));
    }

    /** The first message of queue 0 of {@code topic}, read back with VIEW_MESSAGE_BY_ID. */
    private static StoredMessage readFirst(TestCluster c, BrokerController leader, String topic) throws Exception {
        return readFirst(c, leader, topic, 0);
    }

    /** The first message of {@code queueId} of {@code topic}, read back with VIEW_MESSAGE_BY_ID. */
    private static StoredMessage readFirst(TestCluster c, BrokerController leader, String topic, int queueId)
            throws Exception {
        var cq = leader.store().consumeQueues().queue(topic, queueId);
        assertThat(cq).isNotNull();
        ConsumeQueue.Unit unit = new ConsumeQueue.Unit();
        assertThat(cq.read(0, unit)).isTrue();
        RemotingCommand r = c.client.invokeSync(leader.config().brokerAddr(), RemotingCommand.createRequest(
            RequestCode.VIEW_MESSAGE_BY_ID, new ViewMessageRequestHeader(unit.physicalOffset(), topic)), 5000);
        try {
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
            return new StoredMessage().wrap(ByteBuffer.wrap(r.bodyBytes()), 0);
        } finally {
            r.release();
        }
    }
}
