package io.raftmq.client.protocol;

import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.ClusterInfo;
import io.raftmq.client.protocol.body.ConsumeStats;
import io.raftmq.client.protocol.body.ConsumerConnection;
import io.raftmq.client.protocol.body.ConsumerIdList;
import io.raftmq.client.protocol.body.HeartbeatData;
import io.raftmq.client.protocol.body.JsonBody;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.protocol.body.LockBatchRequestBody;
import io.raftmq.client.protocol.body.LockBatchResponseBody;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.OffsetWrapper;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.body.TopicConfigSerializeWrapper;
import io.raftmq.client.protocol.body.TopicList;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.body.TopicStatsTable;
import io.raftmq.testsupport.GoldenVectors;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the JSON body classes read the fastjson output of the 5.3.3 classes (vectors 11, 13-27, including bare
 * numeric keys and MessageQueue object keys) and write it back byte for byte. Method: decode, check key values,
 * re-encode and compare with the vector; then check the lenient variants (stringified keys, quoted numbers).
 */
class GoldenBodyTest {
    private static String text(String vector) {
        return GoldenVectors.text(vector);
    }

    private static void assertRoundTrip(JsonBody body, String vector) {
        assertThat(new String(body.encode(), StandardCharsets.UTF_8)).as(vector).isEqualTo(text(vector));
    }

    @Test
    void heartbeat() throws Exception {
        HeartbeatData h = HeartbeatData.decode(GoldenVectors.bytes("11_heartbeat_body.json"));
        assertThat(h.clientID()).isEqualTo("127.0.0.1@12345#1");
        assertThat(h.producerDataSet()).extracting("groupName").containsExactly("PG");
        assertThat(h.consumerDataSet().get(0).subscriptionDataSet().get(1).codeSet()).containsExactly(2598919, 2598920);
        assertThat(h.consumerDataSet().get(0).subscriptionDataSet().get(1).subVersion()).isEqualTo(1700000000000L);
        assertRoundTrip(h, "11_heartbeat_body.json");
    }

    @Test
    void topicRoutePlainAndStandard() throws Exception {
        TopicRouteData plain = TopicRouteData.decode(GoldenVectors.bytes("13_topic_route_default.json"));
        TopicRouteData standard = TopicRouteData.decode(GoldenVectors.bytes("14_topic_route_standard.json"));
        assertThat(plain).isEqualTo(standard);
        BrokerData b = plain.brokerDatas().get(0);
        assertThat(b.brokerAddrs()).containsEntry(0L, "127.0.0.1:10911").containsEntry(1L, "127.0.0.1:10921");
        assertThat(plain.queueDatas().get(0).perm()).isEqualTo(6);
        assertRoundTrip(plain, "13_topic_route_default.json");
        assertThat(new String(plain.encode(true),
                StandardCharsets.UTF_8)).isEqualTo(text("14_topic_route_standard.json"));
    }

    @Test
    void clusterInfo() throws Exception {
        ClusterInfo c = ClusterInfo.decode(GoldenVectors.bytes("15_cluster_info.json"));
        assertThat(c.clusterAddrTable().get("DefaultCluster")).containsExactly("broker-a");
        assertThat(c.brokerAddrTable().get("broker-a").brokerAddrs().get(0L)).isEqualTo("127.0.0.1:10911");
        assertRoundTrip(c, "15_cluster_info.json");
    }

    @Test
    void lockBodies() throws Exception {
        LockBatchRequestBody lock = LockBatchRequestBody.decode(GoldenVectors.bytes("16_lock_batch_request.json"));
        assertThat(lock.mqSet()).containsExactly(new MessageQueue("TopicTest", "broker-a", 0));
        assertRoundTrip(lock, "16_lock_batch_request.json");
        assertRoundTrip(LockBatchResponseBody.decode(GoldenVectors.bytes("17_lock_batch_response.json")),
                "17_lock_batch_response.json");
        assertRoundTrip(LockBatchRequestBody.decode(GoldenVectors.bytes("18_unlock_batch_request.json")),
                "18_unlock_batch_request.json");
    }

    @Test
    void consumerListAndTopicList() throws Exception {
        ConsumerIdList ids = ConsumerIdList.decode(GoldenVectors.bytes("19_consumer_list.json"));
        assertThat(ids.consumerIdList()).containsExactly("127.0.0.1@12345#1", "127.0.0.2@23456#2");
        assertRoundTrip(ids, "19_consumer_list.json");
        TopicList topics = TopicList.decode(GoldenVectors.bytes("26_topic_list.json"));
        assertThat(topics.topicList()).containsExactly("TopicTest", "TBW102");
        assertRoundTrip(topics, "26_topic_list.json");
    }

    @Test
    void consumeStatsWithObjectKeys() throws Exception {
        ConsumeStats s = ConsumeStats.decode(GoldenVectors.bytes("20_consume_stats.json"));
        assertThat(s.consumeTps()).isEqualTo(1.5);
        assertThat(s.offsetTable()).containsEntry(new MessageQueue("TopicTest", "broker-a", 0),
                new OffsetWrapper(10, 7, 8, 1700000000123L));
        assertRoundTrip(s, "20_consume_stats.json");
        String stringKeys = "{\"consumeTps\":\"1.5\","
                + "\"offsetTable\":{\"{\\\"topic\\\":\\\"TopicTest\\\",\\\"queueId\\\":"
                + "\\\"0\\\",\\\"brokerName\\\":\\\"broker-a\\\"}\":{\"brokerOffset\":\"10\",\"consumerOffset\":7,"
                + "\"lastTimestamp\":1700000000123,\"pullOffset\":8}}}";
        assertThat(ConsumeStats.decode(stringKeys.getBytes(StandardCharsets.UTF_8))).isEqualTo(s);
    }

    @Test
    void topicStatsWithObjectKeys() throws Exception {
        TopicStatsTable t = TopicStatsTable.decode(GoldenVectors.bytes("21_topic_stats.json"));
        assertThat(t.offsetTable().get(new MessageQueue("TopicTest", "broker-a", 0)).maxOffset()).isEqualTo(10);
        assertRoundTrip(t, "21_topic_stats.json");
    }

    @Test
    void kvTableKeepsJavaHashMapOrder() throws Exception {
        KVTable kv = KVTable.decode(GoldenVectors.bytes("22_kvtable.json"));
        assertThat(kv.table()).containsEntry("brokerVersion", "479");
        assertRoundTrip(kv, "22_kvtable.json");
        Map<String, String> inserted = new LinkedHashMap<>();
        inserted.put("brokerVersionDesc", "V5_3_3");
        inserted.put("brokerVersion", "479");
        inserted.put("msgPutTotalTodayNow", "0");
        assertRoundTrip(new KVTable(inserted), "22_kvtable.json");
    }

    @Test
    void topicConfigsAndSubscriptionGroup() throws Exception {
        TopicConfigSerializeWrapper w =
                TopicConfigSerializeWrapper.decode(GoldenVectors.bytes("23_topic_config_wrapper.json"));
        assertThat(w.dataVersion().counter()).isEqualTo(1);
        assertThat(w.topicConfigTable().get("TopicTest")).isEqualTo(TopicConfig.of("TopicTest", 4));
        assertRoundTrip(w, "23_topic_config_wrapper.json");
        assertRoundTrip(TopicConfig.of("TopicTest", 4), "27_topic_config_and_mapping.json");
        assertRoundTrip(TopicConfig.decode(GoldenVectors.bytes("27_topic_config_and_mapping.json")),
                "27_topic_config_and_mapping.json");
        SubscriptionGroupConfig g =
                SubscriptionGroupConfig.decode(GoldenVectors.bytes("24_subscription_group_config.json"));
        assertThat(g).isEqualTo(SubscriptionGroupConfig.defaults("CG"));
        assertRoundTrip(g, "24_subscription_group_config.json");
    }

    @Test
    void consumerConnection() throws Exception {
        ConsumerConnection c = ConsumerConnection.decode(GoldenVectors.bytes("25_consumer_connection.json"));
        assertThat(c.connectionSet().get(0).version()).isEqualTo(479);
        assertThat(c.subscriptionTable().get("TopicTest").tagsSet()).containsExactly("TagA", "TagB");
        assertRoundTrip(c, "25_consumer_connection.json");
    }

    @Test
    void malformedBodiesAreTypedErrors() {
        assertThatThrownBy(() -> TopicRouteData.decode("{\"queueDatas\":[".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(RemotingCommandException.class).hasMessageContaining("malformed TopicRouteData")
                .extracting(e -> ((RemotingCommandException) e).responseCode()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThatThrownBy(() -> HeartbeatData.decode(null)).isInstanceOf(RemotingCommandException.class);
        assertThatThrownBy(() -> ConsumeStats.decode("{\"offsetTable\":{\"x\":1}}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(RemotingCommandException.class);
    }
}
