package io.raftmq.broker.it.compat;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.QueryResult;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.admin.ConsumeStats;
import org.apache.rocketmq.remoting.protocol.admin.OffsetWrapper;
import org.apache.rocketmq.remoting.protocol.admin.TopicOffset;
import org.apache.rocketmq.remoting.protocol.admin.TopicStatsTable;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.body.KVTable;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the mqadmin calls of rocketmq-tools 5.3.3 ({@link DefaultMQAdminExt}, what clusterList, topicList,
 * topicRoute, updateTopic, topicStatus, consumerProgress, brokerStatus, queryMsgByKey and queryMsgById run) return
 * correct data from a RaftMQ group. Method: one NameServer + three-member group for the class; a producer writes a
 * known set of messages (per-queue counts taken from the SendResults); each admin answer is compared with those
 * values, the member addresses and the current Raft leader.
 */
@SocketTest
class MqAdminCompatTest {
    private static final String TOPIC = "AdminTopic";
    private static final int SENT = 12;

    @TempDir
    static Path dir;
    private static TestCluster cluster;
    private static OfficialClients clients;
    private static DefaultMQAdminExt admin;
    private static List<SendResult> sent;
    private static String leaderAddr;

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster(dir, 3).startAll();
        leaderAddr = cluster.awaitLeaderRegistered(10_000).config().brokerAddr();
        clients = new OfficialClients(cluster);
        DefaultMQProducer p = clients.producer("AdminPG");
        sent = OfficialClients.sendAll(p, TOPIC, "adm", SENT);
        admin = clients.admin();
    }

    @AfterAll
    static void stop() {
        clients.close();
        cluster.close();
    }

    /** How many of the sent messages went to each queue. */
    private static Map<Integer, Long> sentPerQueue() {
        Map<Integer, Long> m = new TreeMap<>();
        for (SendResult r : sent) {
            m.merge(r.getMessageQueue().getQueueId(), 1L, Long::sum);
        }
        return m;
    }

    private static Set<String> memberAddrs() {
        Set<String> s = new TreeSet<>();
        for (BrokerController b : cluster.brokers) {
            s.add(b.config().brokerAddr());
        }
        return s;
    }

    @Test
    void clusterListShowsTheGroupWithTheLeaderAsMasterAndEveryMember() throws Exception {
        ClusterInfo ci = admin.examineBrokerClusterInfo();
        assertThat(ci.getClusterAddrTable()).containsOnlyKeys("DefaultCluster");
        assertThat(ci.getClusterAddrTable().get("DefaultCluster")).containsExactly(TestCluster.GROUP);
        BrokerData bd = ci.getBrokerAddrTable().get(TestCluster.GROUP);
        assertThat(bd.getCluster()).isEqualTo("DefaultCluster");
        assertThat(bd.getBrokerAddrs().get(0L)).isEqualTo(leaderAddr);
        assertThat(new TreeSet<>(bd.getBrokerAddrs().values())).isEqualTo(memberAddrs());
    }

    @Test
    void topicListAndTopicRouteDescribeTheTopic() throws Exception {
        assertThat(admin.fetchAllTopicList().getTopicList()).contains(TOPIC, "TBW102");
        TopicRouteData route = admin.examineTopicRouteInfo(TOPIC);
        assertThat(route.getQueueDatas()).hasSize(1);
        QueueData qd = route.getQueueDatas().get(0);
        assertThat(qd.getBrokerName()).isEqualTo(TestCluster.GROUP);
        assertThat(qd.getReadQueueNums()).isEqualTo(4);
        assertThat(qd.getWriteQueueNums()).isEqualTo(4);
        assertThat(qd.getPerm()).isEqualTo(6);
        assertThat(route.getBrokerDatas()).hasSize(1);
        assertThat(route.getBrokerDatas().get(0).getBrokerAddrs().get(0L)).isEqualTo(leaderAddr);
    }

    @Test
    void updateTopicCreatesItInTheGroupAndTheRoute() throws Exception {
        String t = "AdminCreated";
        admin.createAndUpdateTopicConfig(leaderAddr, new TopicConfig(t, 6, 6, 6));
        TopicConfig tc = admin.examineTopicConfig(leaderAddr, t);
        assertThat(tc.getReadQueueNums()).isEqualTo(6);
        assertThat(tc.getWriteQueueNums()).isEqualTo(6);
        assertThat(tc.getPerm()).isEqualTo(6);
        for (BrokerController b : cluster.brokers) { // replicated to every member
            TestCluster.await(5_000, "topic on " + b.config().brokerAddr(), () -> b.topics().get(t) != null);
        }
        TestCluster.await(5_000, "the NameServer routes 6 queues of " + t, () -> {
            try {
                TopicRouteData r = admin.examineTopicRouteInfo(t);
                return r.getQueueDatas().size() == 1 && r.getQueueDatas().get(0).getReadQueueNums() == 6;
            } catch (Exception e) { // not routed yet
                return false;
            }
        });
        admin.createAndUpdateTopicConfig(leaderAddr, new TopicConfig(t, 8, 8, 6));
        assertThat(admin.examineTopicConfig(leaderAddr, t).getWriteQueueNums()).isEqualTo(8);
    }

    @Test
    void topicStatusGivesEachQueuesOffsets() throws Exception {
        TopicStatsTable stats = admin.examineTopicStats(TOPIC);
        Map<Integer, Long> max = new TreeMap<>();
        for (Map.Entry<MessageQueue, TopicOffset> e : stats.getOffsetTable().entrySet()) {
            assertThat(e.getKey().getBrokerName()).isEqualTo(TestCluster.GROUP);
            assertThat(e.getValue().getMinOffset()).isZero();
            max.put(e.getKey().getQueueId(), e.getValue().getMaxOffset());
            if (e.getValue().getMaxOffset() > 0) {
                assertThat(e.getValue().getLastUpdateTimestamp()).isPositive();
            }
        }
        Map<Integer, Long> expected = new TreeMap<>(Map.of(0, 0L, 1, 0L, 2, 0L, 3, 0L));
        expected.putAll(sentPerQueue());
        assertThat(max).isEqualTo(expected);
    }

    @Test
    void consumerProgressShowsCommittedOffsetsAfterConsumption() throws Exception {
        String group = "AdminCG";
        OfficialClients.Received got = new OfficialClients.Received();
        DefaultMQPushConsumer c = clients.push(group, TOPIC, MessageModel.CLUSTERING, got);
        TestCluster.await(10_000, "all messages consumed", () -> got.bodies.size() >= SENT);
        c.shutdown(); // persists the offsets (oneway UPDATE_CONSUMER_OFFSET)
        Map<Integer, Long> expected = sentPerQueue();
        Map<Integer, Long> committed = new HashMap<>();
        TestCluster.await(10_000, "committed offsets equal to the queue ends", () -> {
            try {
                ConsumeStats cs = admin.examineConsumeStats(group);
                committed.clear();
                for (Map.Entry<MessageQueue, OffsetWrapper> e : cs.getOffsetTable().entrySet()) {
                    if (e.getKey().getTopic().equals(TOPIC)) {
                        OffsetWrapper w = e.getValue();
                        if (w.getBrokerOffset() != w.getConsumerOffset()) {
                            return false;
                        }
                        committed.put(e.getKey().getQueueId(), w.getConsumerOffset());
                    }
                }
                return committed.keySet().containsAll(expected.keySet());
            } catch (Exception e) { // not committed yet
                return false;
            }
        });
        for (Map.Entry<Integer, Long> e : expected.entrySet()) {
            assertThat(committed.get(e.getKey())).as("queue %d", e.getKey()).isEqualTo(e.getValue());
        }
        ConsumeStats cs = admin.examineConsumeStats(group);
        cs.getOffsetTable().forEach((mq, w) -> {
            if (mq.getTopic().equals(TOPIC) && w.getConsumerOffset() > 0) {
                assertThat(w.getLastTimestamp()).as("lastTimestamp of %s", mq).isPositive();
            }
        });
    }

    @Test
    void brokerStatusReportsTheRunningLeader() throws Exception {
        // Rates count whole seconds only: a query in the second of the sends sees 0 until that second is over.
        Awaits.await("a put rate after the sends").until(() -> maxRate(
            admin.fetchBrokerRuntimeStats(leaderAddr).getTable().get("putTps")) > 0);
        KVTable t = admin.fetchBrokerRuntimeStats(leaderAddr);
        assertThat(t.getTable()).containsEntry("brokerVersionDesc", "V5_3_3").containsEntry("brokerActive", "true")
            .containsEntry("raftRole", "LEADER");
        assertThat(Long.parseLong(t.getTable().get("bootTimestamp"))).isPositive();
        assertThat(Long.parseLong(t.getTable().get("brokerVersion"))).isEqualTo(479);
        assertTrafficFiguresAreReal(t.getTable());
        for (BrokerController b : cluster.brokers) {
            if (!b.config().brokerAddr().equals(leaderAddr)) {
                assertThat(admin.fetchBrokerRuntimeStats(b.config().brokerAddr()).getTable())
                    .containsEntry("raftRole", "FOLLOWER");
            }
        }
    }

    /**
     * The leader's figures after the sends of {@link #start}, parsed as mqadmin parses them: every sent message
     * counted today, a non-zero put rate in at least one window (the 10 s one may have passed), the earliest message
     * stored within the last hour (clusterList's "#Hour" 0, not 499039), a disk ratio in (0, 1].
     */
    /** The largest of the space-separated rates of a runtime-info value, parsed as mqadmin parses them. */
    private static double maxRate(String rates) {
        double max = 0;
        for (String rate : rates.split(" ")) {
            max = Math.max(max, Double.parseDouble(rate));
        }
        return max;
    }

    private static void assertTrafficFiguresAreReal(Map<String, String> table) {
        assertThat(Long.parseLong(table.get("msgPutTotalTodayNow"))).isGreaterThanOrEqualTo(SENT);
        assertThat(Long.parseLong(table.get("msgPutTotalTodayNow")) - Long.parseLong(table.get(
            "msgPutTotalTodayMorning"))).as("put today").isPositive();
        assertThat(maxRate(table.get("putTps"))).as("putTps %s", table.get("putTps")).isPositive();
        Double.parseDouble(table.get("getTransferredTps").split(" ")[0]);
        long earliest = Long.parseLong(table.get("earliestMessageTimeStamp"));
        long now = System.currentTimeMillis();
        assertThat(earliest).isBetween(now - 3_600_000, now);
        assertThat(Double.parseDouble(table.get("commitLogDiskRatio"))).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
    }

    @Test
    void queryMsgByKeyFindsTheMessageWithItsBodyAndKeys() throws Exception {
        QueryResult r = admin.queryMessage(TOPIC, "adm-5", 32, 0, Long.MAX_VALUE);
        assertThat(r.getMessageList()).hasSize(1);
        MessageExt m = r.getMessageList().get(0);
        assertThat(new String(m.getBody(), StandardCharsets.UTF_8)).isEqualTo("adm-5");
        assertThat(m.getKeys()).isEqualTo("adm-5");
        assertThat(m.getTopic()).isEqualTo(TOPIC);
        assertThat(m.getMsgId()).isEqualTo(sent.get(5).getMsgId());
        assertThatThrownBy(() -> admin.queryMessage(TOPIC, "no-such-key", 32, 0, Long.MAX_VALUE))
            .isInstanceOf(MQClientException.class) // the client's "no message" (mqadmin prints nothing)
            .extracting(e -> ((MQClientException) e).getResponseCode()).isEqualTo(208);
    }

    @Test
    void queryMsgByIdFindsTheMessageByOffsetIdAndByUniqueKey() throws Exception {
        SendResult s = sent.get(7);
        MessageExt byOffsetId = admin.viewMessage(TOPIC, s.getOffsetMsgId());
        assertThat(new String(byOffsetId.getBody(), StandardCharsets.UTF_8)).isEqualTo("adm-7");
        assertThat(byOffsetId.getQueueId()).isEqualTo(s.getMessageQueue().getQueueId());
        assertThat(byOffsetId.getQueueOffset()).isEqualTo(s.getQueueOffset());
        assertThat(byOffsetId.getStoreHost().toString()).endsWith(leaderAddr);
        MessageExt byUniqKey = admin.viewMessage(TOPIC, s.getMsgId());
        assertThat(new String(byUniqKey.getBody(), StandardCharsets.UTF_8)).isEqualTo("adm-7");
        assertThat(byUniqKey.getMsgId()).isEqualTo(s.getMsgId());
        QueryResult uniq = admin.queryMessageByUniqKey("DefaultCluster", TOPIC, s.getMsgId(), 32, 0, Long.MAX_VALUE);
        assertThat(uniq.getMessageList()).extracting(MessageExt::getMsgId).containsExactly(s.getMsgId());
    }
}
