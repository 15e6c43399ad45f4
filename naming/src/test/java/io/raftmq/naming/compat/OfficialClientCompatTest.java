package io.raftmq.naming.compat;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.DataVersion;
import io.raftmq.client.protocol.body.RegisterBrokerBody;
import io.raftmq.client.protocol.body.TopicConfigSerializeWrapper;
import io.raftmq.client.protocol.header.RegisterBrokerRequestHeader;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.naming.NameServer;
import io.raftmq.naming.NamingConfig;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the official RocketMQ 5.3.3 client and mqadmin classes read our NameServer's answers correctly.
 * Method: our NameServer in-process on an ephemeral port; fake brokers register through our RemotingClient
 * (one of them with a body compressed by the official {@code RegisterBrokerBody.encode(true)}); then
 * {@link DefaultMQAdminExt} and {@link DefaultMQProducer} fetch routes, cluster info, topic lists and KV
 * config. Their threads are shut down after each test; their log goes to target/rocketmqlogs (see pom).
 */
@SocketTest
class OfficialClientCompatTest {
    private static final String CLUSTER = "DefaultCluster";
    private static final String A0 = "127.0.0.1:10911";
    private static final String A1 = "127.0.0.1:10921";
    private static final String B0 = "127.0.0.1:10931";

    private NameServer nameServer;
    private RemotingClient broker;
    private String addr;
    private DefaultMQAdminExt admin;

    @BeforeEach
    void start() throws Exception {
        nameServer = new NameServer(NamingConfig.defaults("127.0.0.1", 0));
        nameServer.start();
        addr = "127.0.0.1:" + nameServer.port();
        broker = new RemotingClient(RemotingClientConfig.defaults());
        broker.start();
        register("broker-a", A0, 0, ourTopics(Map.of("TopicTest", 4, "TBW102", 8)), false);
        register("broker-a", A1, 1, ourTopics(Map.of("TopicTest", 4)), false);
        register("broker-b", B0, 0, officialCompressedBody("TopicTest", 2), true);
    }

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.shutdown();
        }
        broker.shutdown();
        nameServer.shutdown();
    }

    private static byte[] ourTopics(Map<String, Integer> queues) {
        Map<String, io.raftmq.client.protocol.body.TopicConfig> table = new TreeMap<>();
        queues.forEach((t, n) -> table.put(t, io.raftmq.client.protocol.body.TopicConfig.of(t, n)));
        return new RegisterBrokerBody(new TopicConfigSerializeWrapper(table, new DataVersion(1, 0, 1)), List.of())
                .encode();
    }

    /** A body as a real RocketMQ broker with compressedRegister=true sends it. */
    private static byte[] officialCompressedBody(String topic, int queues) {
        org.apache.rocketmq.remoting.protocol.body.RegisterBrokerBody body =
                new org.apache.rocketmq.remoting.protocol.body.RegisterBrokerBody();
        TopicConfig tc = new TopicConfig(topic, queues, queues, 6);
        body.getTopicConfigSerializeWrapper().getTopicConfigTable().put(topic, tc);
        return body.encode(true);
    }

    private void register(String group, String brokerAddr, long id, byte[] body, boolean compressed)
            throws Exception {
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.REGISTER_BROKER,
                new RegisterBrokerRequestHeader(group, brokerAddr, CLUSTER, brokerAddr, id, null, null, compressed,
                        0)).setBody(body);
        RemotingCommand resp = broker.invokeSync(addr, req, 3_000);
        resp.release();
        assertThat(resp.code()).as("register %s: %s", brokerAddr, resp.remark()).isEqualTo(ResponseCode.SUCCESS);
    }

    private DefaultMQAdminExt admin() throws MQClientException {
        admin = new DefaultMQAdminExt(3_000);
        admin.setNamesrvAddr(addr);
        admin.setInstanceName("naming-compat-" + System.nanoTime());
        admin.start();
        return admin;
    }

    @Test
    void mqadminReadsRoutesClusterInfoAndTopicList() throws Exception {
        DefaultMQAdminExt a = admin();
        TopicRouteData route = a.examineTopicRouteInfo("TopicTest");
        Map<String, BrokerData> brokers = new TreeMap<>();
        for (BrokerData b : route.getBrokerDatas()) {
            brokers.put(b.getBrokerName(), b);
        }
        assertThat(brokers.get("broker-a").getBrokerAddrs()).isEqualTo(new HashMap<>(Map.of(0L, A0, 1L, A1)));
        assertThat(brokers.get("broker-b").getBrokerAddrs()).isEqualTo(new HashMap<>(Map.of(0L, B0)));
        assertThat(brokers.get("broker-a").getCluster()).isEqualTo(CLUSTER);
        Map<String, QueueData> queues = new TreeMap<>();
        for (QueueData q : route.getQueueDatas()) {
            queues.put(q.getBrokerName(), q);
        }
        assertThat(queues.get("broker-a").getWriteQueueNums()).isEqualTo(4);
        assertThat(queues.get("broker-a").getPerm()).isEqualTo(6);
        assertThat(queues.get("broker-b").getReadQueueNums()).as("from the compressed registration").isEqualTo(2);

        ClusterInfo ci = a.examineBrokerClusterInfo();
        assertThat(ci.getClusterAddrTable().get(CLUSTER)).containsExactlyInAnyOrder("broker-a", "broker-b");
        assertThat(ci.getBrokerAddrTable().get("broker-a").selectBrokerAddr()).isEqualTo(A0);
        assertThat(a.fetchAllTopicList().getTopicList()).containsExactlyInAnyOrder("TopicTest", "TBW102");

        assertThatThrownBy(() -> a.examineTopicRouteInfo("NoSuchTopic"))
                .isInstanceOf(MQClientException.class)
                .satisfies(e -> assertThat(((MQClientException) e).getResponseCode())
                        .isEqualTo(ResponseCode.TOPIC_NOT_EXIST));
    }

    @Test
    void mqadminDeletesTopicsAndManagesKvConfig() throws Exception {
        DefaultMQAdminExt a = admin();
        a.createAndUpdateKvConfig("ORDER_TOPIC_CONFIG", "TopicTest", "broker-a:4");
        assertThat(a.getKVConfig("ORDER_TOPIC_CONFIG", "TopicTest")).isEqualTo("broker-a:4");
        assertThat(a.getKVListByNamespace("ORDER_TOPIC_CONFIG").getTable()).containsEntry("TopicTest", "broker-a:4");
        assertThat(a.examineTopicRouteInfo("TopicTest").getOrderTopicConf()).isEqualTo("broker-a:4");

        a.deleteTopicInNameServer(Set.of(addr), CLUSTER, "TopicTest");
        assertThatThrownBy(() -> a.examineTopicRouteInfo("TopicTest")).isInstanceOf(MQClientException.class);
        assertThat(a.fetchAllTopicList().getTopicList()).containsExactly("TBW102");
    }

    @Test
    void producerBuildsWritableQueuesOnlyFromLeaders() throws Exception {
        DefaultMQProducer producer = new DefaultMQProducer("naming_compat_pg");
        producer.setNamesrvAddr(addr);
        producer.setInstanceName("naming-compat-" + System.nanoTime());
        producer.start();
        try {
            List<MessageQueue> mqs = producer.fetchPublishMessageQueues("TopicTest");
            assertThat(mqs).hasSize(6);
            assertThat(mqs).filteredOn(q -> q.getBrokerName().equals("broker-a")).hasSize(4);
            assertThat(mqs).filteredOn(q -> q.getBrokerName().equals("broker-b")).hasSize(2);

            register("broker-b", B0, 1, officialCompressedBody("TopicTest", 2), true);
            assertThat(producer.fetchPublishMessageQueues("TopicTest"))
                    .as("broker-b lost its leader: its queues are not writable")
                    .allMatch(q -> q.getBrokerName().equals("broker-a")).hasSize(4);
        } finally {
            producer.shutdown();
        }
    }
}
