package io.raftmq.broker.it.compat;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the real mqadmin command line of rocketmq-tools 5.3.3 works against a RaftMQ group: clusterList, topicList,
 * topicRoute, updateTopic, topicStatus, consumerProgress, brokerStatus, queryMsgByKey and queryMsgById print the
 * right data. Method: one NameServer + three-member group; a producer sends a known set of messages, a push consumer
 * consumes them; each command runs in-process through {@code MQAdminStartup.main0} (what the {@code mqadmin} script
 * runs: the same option parsing and sub-command classes, {@code -n} for the NameServer) with System.out captured,
 * and the printed text is compared with the SendResults, the member addresses and the Raft leader. A no-op RPC hook
 * is passed so the tool does not look for an ACL file under ROCKETMQ_HOME. Each sub-command starts and shuts down
 * its own admin client. queryMsgById writes the body to {@code /tmp/rocketmq/msgbodys/<msgId>} (hard-wired in the
 * tool); those files are deleted afterwards.
 */
@SocketTest
class MqAdminCliCompatTest {
    private static final String TOPIC = "CliTopic";
    private static final String GROUP = "CliCG";
    private static final int SENT = 10;

    @TempDir
    static Path dir;
    private static TestCluster cluster;
    private static OfficialClients clients;
    private static List<SendResult> sent;
    private static String leaderAddr;

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster(dir, 3).startAll();
        leaderAddr = cluster.awaitLeaderRegistered(10_000).config().brokerAddr();
        clients = new OfficialClients(cluster);
        sent = OfficialClients.sendAll(clients.producer("CliPG"), TOPIC, "cli", SENT);
        OfficialClients.Received got = new OfficialClients.Received();
        DefaultMQPushConsumer c = clients.push(GROUP, TOPIC, MessageModel.CLUSTERING, got);
        TestCluster.await(10_000, "all messages consumed", () -> got.bodies.size() >= SENT);
        c.shutdown(); // persists the offsets
    }

    @AfterAll
    static void stop() throws java.io.IOException {
        clients.close();
        cluster.close();
        for (SendResult r : sent) { // queryMsgById saves the body under a hard-wired /tmp path: remove ours
            java.nio.file.Files.deleteIfExists(Path.of("/tmp/rocketmq/msgbodys", r.getMsgId()));
        }
    }

    /** Runs {@code mqadmin <args> -n <namesrv>} in-process and returns what it printed. */
    private static String mqadmin(String... args) {
        return MqAdminCli.run(cluster.namesrv(), args);
    }

    /** The printed lines split on whitespace, those whose first token is {@code first}. */
    private static List<String[]> rows(String out, String first) {
        List<String[]> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] t = line.trim().split("\\s+");
            if (t.length > 0 && t[0].equals(first)) {
                rows.add(t);
            }
        }
        return rows;
    }

    private static Map<Integer, Long> sentPerQueue() {
        Map<Integer, Long> m = new TreeMap<>();
        for (SendResult r : sent) {
            m.merge(r.getMessageQueue().getQueueId(), 1L, Long::sum);
        }
        return m;
    }

    @Test
    void clusterListShowsEveryMemberWithTheLeaderAsBid0() {
        String out = mqadmin("clusterList");
        List<String[]> rows = rows(out, "DefaultCluster");
        assertThat(rows).as(out).hasSize(3);
        for (String[] r : rows) {
            assertThat(r[1]).isEqualTo(TestCluster.GROUP);
            assertThat(r[4]).isEqualTo("V5_3_3");
            double hours = Double.parseDouble(r[r.length - 3].replace(',', '.'));
            assertThat(hours).as("#Hour: age of the earliest stored message in\n%s", out).isLessThan(1.0);
            if (r[3].equals(leaderAddr)) {
                assertThat(r[2]).as("the leader's BID").isEqualTo("0");
            } else {
                assertThat(r[2]).as("a follower's BID").isNotEqualTo("0");
            }
        }
        List<String> addrs = new ArrayList<>();
        rows.forEach(r -> addrs.add(r[3]));
        List<String> members = new ArrayList<>();
        for (BrokerController b : cluster.brokers) {
            members.add(b.config().brokerAddr());
        }
        assertThat(addrs).containsExactlyInAnyOrderElementsOf(members);
    }

    @Test
    void topicListAndTopicRoute() {
        String list = mqadmin("topicList");
        assertThat(list.lines().map(String::trim)).contains(TOPIC, "TBW102");
        String route = mqadmin("topicRoute", "-t", TOPIC);
        assertThat(route).contains("\"brokerName\":\"" + TestCluster.GROUP + "\"").contains("\"readQueueNums\":4")
            .contains("\"writeQueueNums\":4").contains("\"perm\":6").contains("0:\"" + leaderAddr + "\"");
    }

    @Test
    void updateTopicCreatesTheTopicOnTheGroup() throws Exception {
        String t = "CliCreated";
        String out = mqadmin("updateTopic", "-b", leaderAddr, "-t", t, "-r", "3", "-w", "3");
        assertThat(out).contains("create topic to " + leaderAddr + " success.");
        for (BrokerController b : cluster.brokers) {
            TestCluster.await(5_000, "topic on " + b.config().brokerAddr(), () -> b.topics().get(t) != null
                && b.topics().get(t).writeQueueNums() == 3);
        }
        TestCluster.await(10_000, "topicStatus lists 3 queues", () -> rows(mqadmin("topicStatus", "-t", t),
            TestCluster.GROUP).size() == 3);
    }

    @Test
    void topicStatusPrintsEachQueuesMaxOffset() {
        String out = mqadmin("topicStatus", "-t", TOPIC);
        Map<Integer, Long> max = new TreeMap<>();
        for (String[] r : rows(out, TestCluster.GROUP)) {
            assertThat(Long.parseLong(r[2])).as("min offset").isZero();
            max.put(Integer.parseInt(r[1]), Long.parseLong(r[3]));
        }
        Map<Integer, Long> expected = new TreeMap<>(Map.of(0, 0L, 1, 0L, 2, 0L, 3, 0L));
        expected.putAll(sentPerQueue());
        assertThat(max).as(out).isEqualTo(expected);
    }

    @Test
    void consumerProgressShowsNoLagAfterConsumption() throws Exception {
        TestCluster.await(10_000, "consumerProgress with zero diff", () ->
            mqadmin("consumerProgress", "-g", GROUP).contains("Diff Total: 0"));
        String out = mqadmin("consumerProgress", "-g", GROUP);
        Map<Integer, Long> consumer = new TreeMap<>();
        for (String[] r : rows(out, TOPIC)) {
            assertThat(r[1]).isEqualTo(TestCluster.GROUP);
            assertThat(r[3]).as("broker offset = consumer offset").isEqualTo(r[4]);
            consumer.put(Integer.parseInt(r[2]), Long.parseLong(r[4]));
        }
        for (Map.Entry<Integer, Long> e : sentPerQueue().entrySet()) {
            assertThat(consumer.get(e.getKey())).as("queue %d in\n%s", e.getKey(), out).isEqualTo(e.getValue());
        }
    }

    @Test
    void brokerStatusPrintsTheRuntimeTable() {
        String out = mqadmin("brokerStatus", "-b", leaderAddr);
        assertThat(out).containsPattern("brokerVersionDesc\\s*: V5_3_3").containsPattern("raftRole\\s*: LEADER")
            .containsPattern("brokerActive\\s*: true")
            .containsPattern("putTps\\s*: \\d+\\.\\d+(E-?\\d+)? \\d+\\.\\d+(E-?\\d+)? \\d+\\.\\d+(E-?\\d+)?")
            .containsPattern("msgPutTotalTodayNow\\s*: [1-9]\\d*")
            .containsPattern("earliestMessageTimeStamp\\s*: [1-9]\\d+");
    }

    @Test
    void queryMsgByKeyPrintsTheMessageId() {
        SendResult s = sent.get(4);
        String out = mqadmin("queryMsgByKey", "-t", TOPIC, "-k", "cli-4");
        List<String[]> rows = rows(out, s.getMsgId());
        assertThat(rows).as(out).hasSize(1);
        assertThat(rows.get(0)[1]).isEqualTo(Integer.toString(s.getMessageQueue().getQueueId()));
        assertThat(rows.get(0)[2]).isEqualTo(Long.toString(s.getQueueOffset()));
    }

    @Test
    void queryMsgByIdPrintsTheMessageByOffsetIdAndByUniqueKey() {
        SendResult s = sent.get(6);
        for (String id : new String[] {s.getOffsetMsgId(), s.getMsgId()}) {
            String out = mqadmin("queryMsgById", "-t", TOPIC, "-i", id);
            assertThat(out).as(id).containsPattern("Topic:\\s+" + TOPIC).containsPattern("Keys:\\s+\\[?cli-6")
                .containsPattern("Queue ID:\\s+" + s.getMessageQueue().getQueueId())
                .containsPattern("Queue Offset:\\s+" + s.getQueueOffset())
                .containsPattern("OffsetID:\\s+" + s.getOffsetMsgId());
        }
    }
}
