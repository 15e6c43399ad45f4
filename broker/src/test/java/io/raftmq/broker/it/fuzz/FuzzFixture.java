package io.raftmq.broker.it.fuzz;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.CreateTopicRequestHeader;
import io.raftmq.client.protocol.header.PullMessageRequestHeader;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Test fixture of the bad-input tests: a {@link TestCluster} (NameServer + three-member group on loopback) whose
 * members run with {@code autoCreateTopicEnable=false} (so hostile sends cannot create topics and unknown topics
 * answer 17) and a 1 s long-poll hold limit, plus helpers to create a topic through the admin request and to send
 * and pull one message through the group's leader.
 */
final class FuzzFixture {
    static final String TOPIC = "FuzzTopic";
    /** Held pulls answer within this (hostile suspend flags and timeouts must not hold answers for long). */
    static final long HOLD_MS_MAX = 1000;

    private FuzzFixture() {
    }

    /** A started cluster with topic auto-creation off and {@link #TOPIC} (4 queues) created. */
    static TestCluster start(Path dir) throws Exception {
        TestCluster c = new TestCluster(dir, 3,
            Map.of("autoCreateTopicEnable", "false", "longPollHoldMsMax", Long.toString(HOLD_MS_MAX)));
        c.startAll();
        c.awaitLeaderRegistered(10_000);
        createTopic(c, TOPIC);
        return c;
    }

    /** Creates {@code topic} with 4 queues, perm 6, through UPDATE_AND_CREATE_TOPIC on the leader. */
    static void createTopic(TestCluster c, String topic) throws Exception {
        String leader = c.awaitLeaderRegistered(10_000).config().brokerAddr();
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC,
            new CreateTopicRequestHeader(topic, "TBW102", 4, 4, 6, "SINGLE_TAG", 0, false, null, false));
        RemotingCommand r = c.client.invokeSync(leader, req, 5000);
        try {
            if (r.code() != ResponseCode.SUCCESS) {
                throw new AssertionError("creating " + topic + " failed: " + r);
            }
        } finally {
            r.release();
        }
        for (var b : c.brokers) {
            TestCluster.await(5000, topic + " on every member", () -> b.topics().get(topic) != null);
        }
    }

    /** Sends {@code body} to queue 0 of {@code topic} through the leader and pulls it back at the returned offset. */
    static void sendAndPull(TestCluster c, String topic, String body) throws Exception {
        String leader = c.awaitLeaderRegistered(10_000).config().brokerAddr();
        RemotingCommand r = c.client.invokeSync(leader, TestCluster.sendRequest(topic, 0, body, "U-" + body), 5000);
        long queueOffset;
        try {
            if (r.code() != ResponseCode.SUCCESS) {
                throw new AssertionError("send after the fuzz run failed: " + r);
            }
            queueOffset = Long.parseLong(r.extFields().get("queueOffset"));
        } finally {
            r.release();
        }
        PullMessageRequestHeader ph = new PullMessageRequestHeader("FuzzCheckCG", topic, 0, queueOffset, 1,
            PullMessageRequestHeader.FLAG_SUBSCRIPTION, -1, 0, "*", 0, "TAG", null, null);
        RemotingCommand p = c.client.invokeSync(leader, RemotingCommand.createRequest(RequestCode.PULL_MESSAGE, ph),
            5000);
        try {
            if (p.code() != ResponseCode.SUCCESS) {
                throw new AssertionError("pull after the fuzz run failed: " + p);
            }
            String stored = new String(p.bodyBytes(), StandardCharsets.ISO_8859_1);
            if (!stored.contains(body)) {
                throw new AssertionError("pulled message does not hold the body " + body);
            }
        } finally {
            p.release();
        }
    }
}
