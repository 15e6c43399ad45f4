package io.raftmq.broker.it;

import io.raftmq.broker.BrokerController;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.SendMessageResponseHeader;
import io.raftmq.commitlog.message.MessageIds;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the broker core works end to end on a real three-member group (raft over loopback TCP, commit logs on
 * disk) with a real NameServer. Method: send with our RemotingClient and check SEND_OK and its fields; check the
 * committed message reaches every member's ConsumeQueue; send to a follower (forwarded to the leader); stop the
 * leader gracefully and check a new leader registers as brokerId 0 and every acknowledged message is still there.
 */
@SocketTest
class ReplicatedSendTest {
    private static final String TOPIC = "ReplicatedTopic";

    @Test
    void sendCommitsReplicatesForwardsAndSurvivesLeaderChange(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            List<String> acked = new ArrayList<>();

            // 1. the first send auto-creates the topic from TBW102 and gets queue offset 0
            SendMessageResponseHeader first = sendOk(c, leader.config().brokerAddr(), 1, "m0", acked);
            assertThat(first.queueId()).isEqualTo(1);
            assertThat(first.queueOffset()).isZero();
            assertThat(first.msgId()).hasSize(MessageIds.IPV4_ID_LENGTH);
            assertThat(MessageIds.decodeOffsetMsgId(first.msgId()).storeHost().port())
                .isEqualTo(leader.config().listenPort());
            assertThat(first.transactionId()).isEqualTo("UNIQ-m0");
            SendMessageResponseHeader second = sendOk(c, leader.config().brokerAddr(), 1, "m1", acked);
            assertThat(second.queueOffset()).isEqualTo(1);

            // 2. committed data reaches every member's ConsumeQueue, and the stored bytes name the leader's address
            for (BrokerController b : c.brokers) {
                TestCluster.await(5000, "queue 1 dispatched on " + b.config().raftSelfId(),
                    () -> b.store().consumeQueues().maxOffset(TOPIC, 1) == 2);
            }
            assertStoredBody(leader, 1, 1, "m1");

            // 3. a follower forwards the send to the leader; the answer carries the leader's store host
            BrokerController follower = c.follower();
            SendMessageResponseHeader viaFollower = sendOk(c, follower.config().brokerAddr(), 1, "m2", acked);
            assertThat(viaFollower.queueOffset()).isEqualTo(2);
            assertThat(MessageIds.decodeOffsetMsgId(viaFollower.msgId()).storeHost().port())
                .isEqualTo(leader.config().listenPort());

            // 4. graceful stop of the leader: a new one takes over and registers as brokerId 0
            leader.shutdown();
            BrokerController next = c.awaitLeaderRegistered(5000);
            assertThat(next).isNotSameAs(leader);
            sendOk(c, next.config().brokerAddr(), 1, "m3", acked);
            TestCluster.await(5000, "all acknowledged messages on the new leader",
                () -> next.store().consumeQueues().maxOffset(TOPIC, 1) == acked.size());
            for (int i = 0; i < acked.size(); i++) {
                assertStoredBody(next, 1, i, acked.get(i));
            }
        }
    }

    @Test
    void followerWithoutLeaderAndIllegalSendsAreRefused(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            String addr = leader.config().brokerAddr();
            RemotingCommand big = TestCluster.sendRequest(TOPIC, 0, "x".repeat((256 << 10) + 1), "big");
            assertCode(c, addr, big, ResponseCode.MESSAGE_ILLEGAL);
            assertCode(c, addr, TestCluster.sendRequest("bad topic!", 0, "b", "k"), ResponseCode.INVALID_PARAMETER);
            assertCode(c, addr, TestCluster.sendRequest("SCHEDULE_TOPIC_XXXX", 0, "b", "k"),
                ResponseCode.NO_PERMISSION);
            assertCode(c, addr, TestCluster.sendRequest("rmq_sys_wheel_timer", 0, "b", "k"),
                ResponseCode.NO_PERMISSION); // no forged timers: parked messages come through the due route only
            sendOk(c, addr, 0, "ok", new ArrayList<>());
            assertCode(c, addr, TestCluster.sendRequest(TOPIC, 99, "b", "k"), ResponseCode.INVALID_PARAMETER);
        }
    }

    private static void assertCode(TestCluster c, String addr, RemotingCommand req, int code) throws Exception {
        RemotingCommand r = c.client.invokeSync(addr, req, 5000);
        try {
            assertThat(r.code()).as(r.remark()).isEqualTo(code);
            assertThat(r.remark()).isNotBlank();
        } finally {
            r.release();
        }
    }

    private static SendMessageResponseHeader sendOk(TestCluster c, String addr, int queueId, String body,
                                                    List<String> acked) throws Exception {
        RemotingCommand r = c.client.invokeSync(addr, TestCluster.sendRequest(TOPIC, queueId, body, "UNIQ-" + body),
            5000);
        try {
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
            assertThat(r.extFields().get("MSG_REGION")).isEqualTo("DefaultRegion");
            assertThat(r.extFields().get("TRACE_ON")).isEqualTo("true");
            acked.add(body);
            return SendMessageResponseHeader.decode(r.extFields());
        } finally {
            r.release();
        }
    }

    /** Reads the message at (queue, offset) through the ConsumeQueue and the commit log and checks its body. */
    private static void assertStoredBody(BrokerController b, int queueId, long offset, String body) throws Exception {
        ConsumeQueue q = b.store().consumeQueues().queue(TOPIC, queueId);
        ConsumeQueue.Unit unit = new ConsumeQueue.Unit();
        assertThat(q.read(offset, unit)).isTrue();
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        long pos = unit.physicalOffset();
        // records are read whole: find the record holding the message, then the message inside it
        long recordPos = b.store().commitLog().read(findRecordStart(b, pos), buf);
        int at = (int) (pos - recordPos);
        StoredMessage m = new StoredMessage().wrap(buf, at);
        assertThat(m.queueOffset()).isEqualTo(offset);
        assertThat(m.physicalOffset()).isEqualTo(pos);
        assertThat(new String(m.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(body);
    }

    private static long findRecordStart(BrokerController b, long physicalOffset) {
        var log = b.store().commitLog();
        long lo = log.firstIndex();
        long hi = log.lastIndex();
        while (lo < hi) { // last record whose position <= physicalOffset
            long mid = (lo + hi + 1) >>> 1;
            if (log.position(mid) <= physicalOffset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return log.position(lo);
    }
}
