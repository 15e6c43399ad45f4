package io.raftmq.broker.acl;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.admin.AdminException;
import io.raftmq.client.instance.ClientConfig;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.producer.SendException;
import io.raftmq.client.producer.SendStatus;
import io.raftmq.client.protocol.Credentials;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.rebalance.AllocateMessageQueueAveragely;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: a RaftMQ group with ACL on (docs/security.md "ACL") serves the official 5.3.3 clients that sign with
 * AclClientRPCHook exactly as far as their accounts allow, and RaftMQ's SDK with credentials likewise. Method: one
 * NameServer and a three-member group whose members read the same ACL file: "producer-a" may PUB TopicA only,
 * "consumer-g" may SUB TopicA in group GroupG, "operator" is an admin. Allowed and refused sends, pulls and topic
 * creation; a wrong secret; a verbatim replay and a changed copy; a signed send to a follower (relayed to the
 * leader, which checks the producer's signature); a reload that grants a new topic.
 */
@SocketTest
class AclClusterTest {
    private static final String ACL = """
        {"accounts": [
          {"accessKey": "producer-a", "secretKey": "producer-secret", "defaultTopicPerm": "DENY",
           "defaultGroupPerm": "DENY", "topicPerms": [%s]},
          {"accessKey": "consumer-g", "secretKey": "consumer-secret", "defaultTopicPerm": "DENY",
           "defaultGroupPerm": "DENY", "topicPerms": ["TopicA=SUB"], "groupPerms": ["GroupG=SUB"]},
          {"accessKey": "operator", "secretKey": "operator-secret", "admin": true,
           "defaultTopicPerm": "PUB|SUB", "defaultGroupPerm": "SUB"}
        ]}
        """;
    private static final int SENT = 8;

    @TempDir
    static Path dir;
    private static Path aclFile;
    private static TestCluster cluster;
    private static String leaderAddr;
    private static final Deque<Runnable> SHUTDOWNS = new ArrayDeque<>();

    @BeforeAll
    static void start() throws Exception {
        aclFile = dir.resolve("acl.json");
        Files.writeString(aclFile, ACL.formatted("\"TopicA=PUB\""));
        cluster = new TestCluster(dir.resolve("data"), 3, Map.of("aclEnable", "true", "aclFile", aclFile.toString(),
            "aclReloadIntervalMs", "200")).startAll();
        leaderAddr = cluster.awaitLeaderRegistered(10_000).config().brokerAddr();
        DefaultMQAdminExt operator = admin("operator", "operator-secret");
        for (String t : List.of("TopicA", "TopicB", "TopicC")) { // routed, so refusals come from the ACL only
            operator.createAndUpdateTopicConfig(leaderAddr, new TopicConfig(t, 4, 4, 6));
            TestCluster.await(10_000, t + " routed", () -> routed(operator, t));
        }
    }

    @AfterAll
    static void stop() {
        while (!SHUTDOWNS.isEmpty()) {
            SHUTDOWNS.pop().run();
        }
        cluster.close();
    }

    private static RPCHook hook(String ak, String sk) {
        return new AclClientRPCHook(new SessionCredentials(ak, sk));
    }

    private static DefaultMQAdminExt admin(String ak, String sk) throws Exception {
        DefaultMQAdminExt a = new DefaultMQAdminExt(hook(ak, sk), 5000);
        a.setNamesrvAddr(cluster.namesrv());
        a.setInstanceName("acl-admin-" + ak + System.nanoTime());
        a.start();
        SHUTDOWNS.push(a::shutdown);
        return a;
    }

    private static boolean routed(DefaultMQAdminExt a, String topic) {
        try {
            return !a.examineTopicRouteInfo(topic).getQueueDatas().isEmpty();
        } catch (Exception e) { // not routed yet
            return false;
        }
    }

    private static DefaultMQProducer producer(String ak, String sk) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer("PG-acl", hook(ak, sk));
        p.setNamesrvAddr(cluster.namesrv());
        p.setInstanceName("acl-p-" + System.nanoTime());
        p.setSendMsgTimeout(5000);
        p.setRetryTimesWhenSendFailed(0);
        p.start();
        SHUTDOWNS.push(p::shutdown);
        return p;
    }

    private static org.apache.rocketmq.common.message.Message msg(String topic, String body) {
        return new org.apache.rocketmq.common.message.Message(topic, "TagA", body.getBytes(StandardCharsets.UTF_8));
    }

    /** The response code of the broker's refusal in {@code e}'s cause chain, or -1. */
    private static int brokerCode(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MQBrokerException b) {
                return b.getResponseCode();
            }
            if (t instanceof MQClientException c && c.getResponseCode() > 0) { // admin calls wrap the answer so
                return c.getResponseCode();
            }
        }
        return -1;
    }

    /** The messages of every cause in {@code e}'s chain, joined. */
    private static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t).append(" | ");
        }
        return b.toString();
    }

    @Test
    void officialClientsGetWhatTheirAccountsAllow() throws Exception {
        DefaultMQProducer p = producer("producer-a", "producer-secret");
        for (int i = 0; i < SENT; i++) {
            assertThat(p.send(msg("TopicA", "a-" + i)).getSendStatus().name()).isEqualTo("SEND_OK");
        }
        Throwable denied = catchSend(p, "TopicB");
        assertThat(brokerCode(denied)).isEqualTo(ResponseCode.NO_PERMISSION);
        assertThat(messages(denied)).contains("lacks PUB on topic 'TopicB'").doesNotContain("TopicA");

        Set<String> received = ConcurrentHashMap.newKeySet();
        DefaultMQPushConsumer c = new DefaultMQPushConsumer("GroupG", hook("consumer-g", "consumer-secret"),
            new AllocateMessageQueueAveragely());
        c.setNamesrvAddr(cluster.namesrv());
        c.setInstanceName("acl-c-" + System.nanoTime());
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe("TopicA", "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(m -> received.add(new String(m.getBody(), StandardCharsets.UTF_8)));
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        SHUTDOWNS.push(c::shutdown);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < SENT; i++) {
            expected.add("a-" + i);
        }
        TestCluster.await(20_000, "GroupG received what producer-a sent", () -> received.containsAll(expected));
        assertThat(received).doesNotContain("denied");
    }

    private static Throwable catchSend(DefaultMQProducer p, String topic) {
        try {
            p.send(msg(topic, "denied"));
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("send to " + topic + " was accepted");
    }

    @Test
    void pullsAreCheckedAgainstGroupAndTopic() throws Exception {
        MessageQueue q = new MessageQueue("TopicA", TestCluster.GROUP, 0);
        assertThat(pull("consumer-g", "consumer-secret", "GroupG", q).getPullStatus())
            .isIn(PullStatus.FOUND, PullStatus.NO_NEW_MSG);
        assertThatThrownBy(() -> pull("producer-a", "producer-secret", "GroupG", q))
            .satisfies(e -> assertThat(messages(e)).contains("lacks SUB on group 'GroupG'"))
            .satisfies(e -> assertThat(brokerCode(e)).isEqualTo(ResponseCode.NO_PERMISSION));
        assertThatThrownBy(() -> pull("consumer-g", "consumer-secret", "GroupH", q))
            .satisfies(e -> assertThat(messages(e)).contains("lacks SUB on group 'GroupH'"));
    }

    private static PullResult pull(String ak, String sk, String group, MessageQueue q) throws Exception {
        DefaultMQPullConsumer c = new DefaultMQPullConsumer(group, hook(ak, sk));
        c.setNamesrvAddr(cluster.namesrv());
        c.setInstanceName("acl-pull-" + System.nanoTime());
        c.start();
        try {
            return c.pull(q, "*", 0, 4, 5000);
        } finally {
            c.shutdown();
        }
    }

    @Test
    void onlyAdminsCreateTopicsAndWrongSecretsAreRefused() throws Exception {
        DefaultMQAdminExt producerAdmin = admin("producer-a", "producer-secret");
        assertThatThrownBy(() -> producerAdmin.createAndUpdateTopicConfig(leaderAddr, new TopicConfig("TopicX", 1,
            1, 6))).satisfies(e -> assertThat(messages(e)).contains("lacks admin permission"))
            .satisfies(e -> assertThat(brokerCode(e)).isEqualTo(ResponseCode.NO_PERMISSION));
        DefaultMQAdminExt operator = admin("operator", "operator-secret");
        operator.createAndUpdateTopicConfig(leaderAddr, new TopicConfig("TopicOps", 2, 2, 6));
        assertThat(operator.examineTopicConfig(leaderAddr, "TopicOps").getWriteQueueNums()).isEqualTo(2);

        DefaultMQProducer wrong = producer("producer-a", "not-the-secret");
        assertThat(messages(catchSend(wrong, "TopicA"))).contains("signature check failed for AccessKey 'producer-a'");
    }

    @Test
    void aVerbatimReplayIsStoredAgainAChangedCopyIsRefusedAndFollowersRelaySignedSends() throws Exception {
        RemotingClient raw = new RemotingClient(RemotingClientConfig.defaults());
        raw.start();
        try {
            Credentials producer = new Credentials("producer-a", "producer-secret");
            RemotingCommand signed = TestCluster.sendRequest("TopicA", 1, "replayed", "ACL0REPLAY0001");
            producer.sign(signed);
            assertThat(call(raw, leaderAddr, copy(signed, "replayed")).code()).isEqualTo(ResponseCode.SUCCESS);
            assertThat(call(raw, leaderAddr, copy(signed, "replayed")).code()).isEqualTo(ResponseCode.SUCCESS);
            RemotingCommand changed = call(raw, leaderAddr, copy(signed, "replayeD"));
            assertThat(changed.code()).isEqualTo(ResponseCode.NO_PERMISSION);
            assertThat(changed.remark()).contains("signature check failed");

            BrokerController follower = cluster.follower();
            RemotingCommand relayed = TestCluster.sendRequest("TopicA", 2, "via-follower", "ACL0RELAY00001");
            producer.sign(relayed);
            assertThat(call(raw, follower.config().brokerAddr(), relayed).code()).isEqualTo(ResponseCode.SUCCESS);
            signed.release();
        } finally {
            raw.shutdown();
        }
    }

    private static RemotingCommand copy(RemotingCommand r, String body) {
        RemotingCommand c = RemotingCommand.createRequest(r.code());
        ExtFields f = r.extFields();
        for (int i = 0; i < f.size(); i++) {
            c.addExtField(f.keyAt(i), f.valueAt(i));
        }
        return c.setBody(body.getBytes(StandardCharsets.UTF_8));
    }

    private static RemotingCommand call(RemotingClient c, String addr, RemotingCommand request) throws Exception {
        RemotingCommand r = c.invokeSync(addr, request, 5000);
        r.release();
        return r;
    }

    @Test
    void theSdkSignsWithItsCredentialsAndAReloadGrantsANewTopic() throws Exception {
        Producer p = new Producer(ProducerConfig.builder().namesrv(cluster.namesrv()).group("PG-sdk")
            .credentials("producer-a", "producer-secret").build());
        p.start();
        try {
            assertThat(p.send(Message.of("TopicA", "sdk")).status()).isEqualTo(SendStatus.SEND_OK);
            assertThatThrownBy(() -> p.send(Message.of("TopicC", "sdk")))
                .isInstanceOfSatisfying(SendException.class, e -> assertThat(e.responseCode()).isEqualTo(16));
            Files.writeString(aclFile, ACL.formatted("\"TopicA=PUB\", \"TopicC=PUB\""));
            TestCluster.await(10_000, "the reload grants TopicC", () -> sends(p, "TopicC"));
        } finally {
            p.shutdown();
        }
        ClientConfig base = ClientConfig.defaults(List.of(cluster.namesrv()));
        try (AdminClient ops = new AdminClient(base.withCredentials(new Credentials("operator", "operator-secret")));
             AdminClient notOps = new AdminClient(base.withCredentials(new Credentials("producer-a",
                 "producer-secret")))) {
            ops.start();
            notOps.start();
            ops.createTopic("TopicSdk", 2);
            assertThatThrownBy(() -> notOps.createTopic("TopicSdk2", 2))
                .isInstanceOfSatisfying(AdminException.class, e -> assertThat(e.code()).isEqualTo(16));
        }
    }

    private static boolean sends(Producer p, String topic) {
        try {
            return p.send(Message.of(topic, "granted")).status() == SendStatus.SEND_OK;
        } catch (SendException e) { // not reloaded yet
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
