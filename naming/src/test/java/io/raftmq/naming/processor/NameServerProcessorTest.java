package io.raftmq.naming.processor;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.ClusterInfo;
import io.raftmq.client.protocol.body.DataVersion;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.protocol.body.RegisterBrokerBody;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.body.TopicConfigSerializeWrapper;
import io.raftmq.client.protocol.body.TopicList;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.header.DeleteTopicFromNamesrvRequestHeader;
import io.raftmq.client.protocol.header.GetKvConfigResponseHeader;
import io.raftmq.client.protocol.header.GetRouteInfoRequestHeader;
import io.raftmq.client.protocol.header.KvConfigRequestHeader;
import io.raftmq.client.protocol.header.RegisterBrokerRequestHeader;
import io.raftmq.client.protocol.header.RegisterBrokerResponseHeader;
import io.raftmq.client.protocol.header.UnregisterBrokerRequestHeader;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.naming.NameServer;
import io.raftmq.naming.NamingConfig;
import io.raftmq.naming.route.ManualClock;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.GoldenVectors;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the NameServer answers every naming request over real TCP exactly as a 5.3.3 client expects, and drops
 * a broker the moment its connection closes.
 * Method: a {@link NameServer} on an ephemeral 127.0.0.1 port with a manual clock; our {@link RemotingClient}
 * plays broker and client; route and cluster bodies are compared byte for byte with golden vectors 13, 14, 15.
 */
@SocketTest
class NameServerProcessorTest {
    private static final long TIMEOUT_MS = 3_000;
    private static final String CLUSTER = "DefaultCluster";
    private static final String LEADER = "127.0.0.1:10911";
    private static final String FOLLOWER = "127.0.0.1:10921";

    private final ManualClock clock = new ManualClock(0);
    private NameServer nameServer;
    private RemotingClient client;
    private String addr;

    @BeforeEach
    void start() throws Exception {
        nameServer = new NameServer(NamingConfig.defaults("127.0.0.1", 0), clock);
        nameServer.start();
        addr = "127.0.0.1:" + nameServer.port();
        client = new RemotingClient(RemotingClientConfig.defaults());
        client.start();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.shutdown();
        }
        if (nameServer != null) {
            nameServer.shutdown();
        }
    }

    static RemotingCommand registerRequest(String brokerAddr, long id, TopicConfig... topics) {
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.REGISTER_BROKER,
                new RegisterBrokerRequestHeader("broker-a", brokerAddr, CLUSTER, brokerAddr, id, null, null, false,
                        0));
        Map<String, TopicConfig> table = new java.util.TreeMap<>();
        for (TopicConfig t : topics) {
            table.put(t.topicName(), t);
        }
        return req.setBody(new RegisterBrokerBody(new TopicConfigSerializeWrapper(table, new DataVersion(1, 0, 5)),
                List.of()).encode());
    }

    private RemotingCommand call(RemotingCommand request) throws Exception {
        return client.invokeSync(addr, request, TIMEOUT_MS);
    }

    /** Calls and returns (code, body) with the response released. */
    private byte[] callForBody(RemotingCommand request, int expectedCode) throws Exception {
        RemotingCommand resp = call(request);
        try {
            assertThat(resp.code()).as("response code, remark: %s", resp.remark()).isEqualTo(expectedCode);
            return resp.bodyBytes();
        } finally {
            resp.release();
        }
    }

    private void registerLeaderAndFollower() throws Exception {
        callForBody(registerRequest(LEADER, 0, TopicConfig.of("TopicTest", 4)), ResponseCode.SUCCESS);
        callForBody(registerRequest(FOLLOWER, 1, TopicConfig.of("TopicTest", 4)), ResponseCode.SUCCESS);
    }

    private static RemotingCommand routeRequest(String topic, int version, Boolean standardOnly) {
        return RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC,
                new GetRouteInfoRequestHeader(topic, standardOnly)).version(version);
    }

    @Test
    void routeInfoMatchesVector14ForCurrentClientsAndVector13ForOldOnes() throws Exception {
        registerLeaderAndFollower();

        byte[] standard = callForBody(routeRequest("TopicTest", 479, null), ResponseCode.SUCCESS);
        assertThat(new String(standard, StandardCharsets.UTF_8))
                .isEqualTo(GoldenVectors.text("14_topic_route_standard.json"));
        byte[] plain = callForBody(routeRequest("TopicTest", 400, null), ResponseCode.SUCCESS);
        assertThat(plain).isEqualTo(GoldenVectors.bytes("13_topic_route_default.json"));
        byte[] asked = callForBody(routeRequest("TopicTest", 400, true), ResponseCode.SUCCESS);
        assertThat(asked).isEqualTo(GoldenVectors.bytes("14_topic_route_standard.json"));
    }

    @Test
    void unknownTopicIsAnswered17WithRocketMqsRemark() throws Exception {
        RemotingCommand resp = call(routeRequest("NoSuchTopic", 479, null));
        assertThat(resp.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
        assertThat(resp.remark()).isEqualTo("No topic route info in name server for the topic: NoSuchTopic");
        assertThat(resp.bodyLength()).isZero();
        assertThat(resp.extFields()).as("docs/protocol.md trap 1: extFields present").isNotNull();
    }

    @Test
    void registerAnswersTheMasterAddressToFollowers() throws Exception {
        callForBody(registerRequest(LEADER, 0, TopicConfig.of("TopicTest", 4)), ResponseCode.SUCCESS);
        RemotingCommand resp = call(registerRequest(FOLLOWER, 1));
        RegisterBrokerResponseHeader h = RegisterBrokerResponseHeader.decode(resp.extFields());
        resp.release();
        assertThat(h.masterAddr()).isEqualTo(LEADER);
        assertThat(h.haServerAddr()).isEqualTo(LEADER);
    }

    @Test
    void clusterInfoMatchesVector15() throws Exception {
        registerLeaderAndFollower();
        byte[] body = callForBody(RemotingCommand.createRequest(RequestCode.GET_BROKER_CLUSTER_INFO),
                ResponseCode.SUCCESS);
        assertThat(new String(body, StandardCharsets.UTF_8))
                .isEqualTo(GoldenVectors.text("15_cluster_info.json"));
        assertThat(ClusterInfo.decode(body).clusterAddrTable()).containsEntry(CLUSTER, List.of("broker-a"));
    }

    @Test
    void topicListsAndDeletion() throws Exception {
        callForBody(registerRequest(LEADER, 0, TopicConfig.of("TopicTest", 4), TopicConfig.of("TBW102", 8)),
                ResponseCode.SUCCESS);
        byte[] all = callForBody(RemotingCommand.createRequest(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER),
                ResponseCode.SUCCESS);
        assertThat(TopicList.decode(all).topicList()).containsExactly("TBW102", "TopicTest");
        byte[] byCluster = callForBody(RemotingCommand.createRequest(RequestCode.GET_TOPICS_BY_CLUSTER)
                .addExtField("cluster", CLUSTER), ResponseCode.SUCCESS);
        assertThat(TopicList.decode(byCluster).topicList()).containsExactly("TBW102", "TopicTest");

        callForBody(RemotingCommand.createRequest(RequestCode.DELETE_TOPIC_IN_NAMESRV,
                new DeleteTopicFromNamesrvRequestHeader("TopicTest", CLUSTER)), ResponseCode.SUCCESS);
        assertThat(call(routeRequest("TopicTest", 479, null)).code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
        byte[] after = callForBody(RemotingCommand.createRequest(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER),
                ResponseCode.SUCCESS);
        assertThat(TopicList.decode(after).topicList()).containsExactly("TBW102");
    }

    @Test
    void kvConfigPutGetListDelete() throws Exception {
        callForBody(registerRequest(LEADER, 0, TopicConfig.of("Ordered", 4)), ResponseCode.SUCCESS);
        callForBody(RemotingCommand.createRequest(RequestCode.PUT_KV_CONFIG,
                new KvConfigRequestHeader("ORDER_TOPIC_CONFIG", "Ordered", "broker-a:4")), ResponseCode.SUCCESS);

        RemotingCommand got = call(RemotingCommand.createRequest(RequestCode.GET_KV_CONFIG,
                new KvConfigRequestHeader("ORDER_TOPIC_CONFIG", "Ordered", null)));
        assertThat(got.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(GetKvConfigResponseHeader.decode(got.extFields()).value()).isEqualTo("broker-a:4");
        byte[] list = callForBody(RemotingCommand.createRequest(KvConfigProcessor.GET_KVLIST_BY_NAMESPACE)
                .addExtField("namespace", "ORDER_TOPIC_CONFIG"), ResponseCode.SUCCESS);
        assertThat(KVTable.decode(list).table()).containsExactly(Map.entry("Ordered", "broker-a:4"));
        byte[] route = callForBody(routeRequest("Ordered", 479, null), ResponseCode.SUCCESS);
        assertThat(TopicRouteData.decode(route).orderTopicConf()).isEqualTo("broker-a:4");

        callForBody(RemotingCommand.createRequest(RequestCode.DELETE_KV_CONFIG,
                new KvConfigRequestHeader("ORDER_TOPIC_CONFIG", "Ordered", null)), ResponseCode.SUCCESS);
        RemotingCommand missing = call(RemotingCommand.createRequest(RequestCode.GET_KV_CONFIG,
                new KvConfigRequestHeader("ORDER_TOPIC_CONFIG", "Ordered", null)));
        assertThat(missing.code()).isEqualTo(ResponseCode.QUERY_NOT_FOUND);
    }

    @Test
    void closingTheBrokersConnectionDropsItAtOnce() throws Exception {
        registerLeaderAndFollower();
        assertThat(nameServer.registry().snapshot().group("broker-a").addrs()).hasSize(2);

        client.closeChannel(addr);
        awaitCondition(() -> nameServer.registry().snapshot().group("broker-a") == null,
                "both brokers registered on the closed connection are dropped");
        assertThat(nameServer.registry().liveBrokerCount()).isZero();
        RemotingCommand resp = call(routeRequest("TopicTest", 479, null));
        assertThat(resp.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
    }

    @Test
    void thePeriodicScanExpiresABrokerWhoseOwnTimeoutPassed() throws Exception {
        nameServer.shutdown();
        nameServer = new NameServer(new NamingConfig("127.0.0.1", 0, 120_000, 10, 1, 1, 100, 0, false, "127.0.0.1", 0,
                io.raftmq.client.tls.TlsConfig.disabled()),
            clock);
        nameServer.start();
        addr = "127.0.0.1:" + nameServer.port();
        RemotingCommand req = registerRequest(LEADER, 0, TopicConfig.of("TopicTest", 4));
        req.extFields().put("heartbeatTimeoutMillis", 1_000L);
        callForBody(req, ResponseCode.SUCCESS);
        assertThat(nameServer.registry().liveBrokerCount()).isEqualTo(1);

        clock.advance(1_001);
        NameServer ns = nameServer;
        awaitCondition(() -> ns.registry().liveBrokerCount() == 0, "expired by the periodic scan");
        assertThat(nameServer.registry().snapshot().topicRoute("TopicTest")).isNull();
        assertThat(nameServer.scanErrorCount()).isZero();
    }

    @Test
    void unregisterAndUnsupportedCodes() throws Exception {
        registerLeaderAndFollower();
        callForBody(RemotingCommand.createRequest(RequestCode.UNREGISTER_BROKER,
                new UnregisterBrokerRequestHeader("broker-a", LEADER, CLUSTER, 0)), ResponseCode.SUCCESS);
        assertThat(nameServer.registry().snapshot().group("broker-a").addrs()).containsOnlyKeys(1L);

        RemotingCommand unsupported = call(RemotingCommand.createRequest(205));
        assertThat(unsupported.code()).isEqualTo(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
        RemotingCommand missingTopic = call(RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC));
        assertThat(missingTopic.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
    }

    @Test
    void bodyCrcIsCheckedWhenSent() throws Exception {
        RemotingCommand good = registerRequest(LEADER, 0, TopicConfig.of("TopicTest", 4));
        CRC32 crc = new CRC32();
        crc.update(good.bodyBytes());
        good.extFields().put("bodyCrc32", (int) (crc.getValue() & 0x7FFFFFFFL));
        callForBody(good, ResponseCode.SUCCESS);

        RemotingCommand bad = registerRequest(FOLLOWER, 1);
        bad.extFields().put("bodyCrc32", 12345);
        RemotingCommand resp = call(bad);
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).contains("crc32 not match");
        assertThat(nameServer.registry().snapshot().group("broker-a").addrs()).containsOnlyKeys(0L);
    }

    @Test
    void queryDataVersionAndBrokerHeartbeat() throws Exception {
        callForBody(registerRequest(LEADER, 0, TopicConfig.of("TopicTest", 4)), ResponseCode.SUCCESS);
        RemotingCommand same = RemotingCommand.createRequest(RequestCode.QUERY_DATA_VERSION)
                .addExtField("brokerName", "broker-a").addExtField("brokerAddr", LEADER)
                .addExtField("clusterName", CLUSTER).addExtField("brokerId", "0")
                .setBody(new DataVersion(1, 0, 5).encode());
        RemotingCommand resp = call(same);
        assertThat(resp.extFields().get("changed")).isEqualTo("false");
        resp.release();
        RemotingCommand other = RemotingCommand.createRequest(RequestCode.QUERY_DATA_VERSION)
                .addExtField("brokerName", "broker-a").addExtField("brokerAddr", LEADER)
                .addExtField("clusterName", CLUSTER).addExtField("brokerId", "0")
                .setBody(new DataVersion(2, 0, 5).encode());
        RemotingCommand resp2 = call(other);
        assertThat(resp2.extFields().get("changed")).isEqualTo("true");
        resp2.release();

        clock.advance(100_000);
        callForBody(RemotingCommand.createRequest(RequestCode.BROKER_HEARTBEAT).addExtField("clusterName", CLUSTER)
                .addExtField("brokerAddr", LEADER).addExtField("brokerName", "broker-a"), ResponseCode.SUCCESS);
        clock.advance(100_000);
        assertThat(nameServer.registry().expire()).as("the heartbeat renewed the lease").isEmpty();
    }

    private static void awaitCondition(BooleanSupplier condition, String what) {
        Awaits.await(what).atMost(Duration.ofSeconds(5)).until(condition::getAsBoolean);
    }
}
