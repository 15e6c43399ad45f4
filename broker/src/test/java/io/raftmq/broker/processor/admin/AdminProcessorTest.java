package io.raftmq.broker.processor.admin;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.metadata.FakeProposer;
import io.raftmq.broker.offset.StoreView;
import io.raftmq.broker.processor.clients.TestBroker;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.ConsumerConnection;
import io.raftmq.client.protocol.body.GroupList;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.body.TopicConfigSerializeWrapper;
import io.raftmq.client.protocol.header.ConsumerGroupHeader;
import io.raftmq.client.protocol.header.CreateTopicRequestHeader;
import io.raftmq.client.protocol.header.DeleteSubscriptionGroupRequestHeader;
import io.raftmq.client.protocol.header.TopicRequestHeader;
import io.raftmq.client.protocol.json.JsonReader;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the mqadmin codes answer per docs/protocol.md §2.11 (requests and responses through the wire codec);
 * topic/group changes go through the (fake) Raft log; a follower answers them 14. Method: {@link TestBroker} (an
 * embedded connection, no socket) with a StoreView reporting max offset 10.
 */
@SocketTest
class AdminProcessorTest {
    private static final StoreView STORE = new StoreView() {
        @Override
        public long minOffset(String topic, int queueId) {
            return 0;
        }

        @Override
        public long maxOffset(String topic, int queueId) {
            return 10;
        }
    };

    private static RemotingCommand createTopic(String topic, String attributes) {
        return RemotingCommand.createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, new CreateTopicRequestHeader(topic,
                "TBW102", 4, 4, 6, "SINGLE_TAG", 0, false, attributes, null));
    }

    private static RemotingCommand topicReq(int code, String topic) {
        return RemotingCommand.createRequest(code, new TopicRequestHeader(topic, true));
    }

    @Test
    void topicLifecycle() throws Exception {
        try (TestBroker b = new TestBroker(STORE)) {
            assertThat(b.call(createTopic("TopicTest", "+message.type=NORMAL")).code()).isZero();
            assertThat(b.f.proposer.log()).extracting(FakeProposer.Logged::type).containsExactly(EntryType.TOPIC_PUT);
            RemotingCommand get = b.call(topicReq(RequestCode.GET_TOPIC_CONFIG, "TopicTest"));
            assertThat(TopicConfig.decode(get.bodyBytes())).isEqualTo(new TopicConfig("TopicTest", 4, 4, 6,
                    "SINGLE_TAG", 0, false, Map.of("message.type", "NORMAL")));
            get.release();
            RemotingCommand all = b.call(RemotingCommand.createRequest(RequestCode.GET_ALL_TOPIC_CONFIG));
            assertThat(TopicConfigSerializeWrapper.decode(all.bodyBytes()).topicConfigTable())
                    .containsKeys("TopicTest", "TBW102");
            all.release();
            assertThat(b.call(topicReq(RequestCode.DELETE_TOPIC_IN_BROKER, "TopicTest")).code()).isZero();
            RemotingCommand gone = b.call(topicReq(RequestCode.GET_TOPIC_CONFIG, "TopicTest"));
            assertThat(gone.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
            assertThat(b.call(createTopic("bad topic", null)).code()).isEqualTo(ResponseCode.INVALID_PARAMETER);
            assertThat(b.call(createTopic("T", "k=v")).code()).isEqualTo(ResponseCode.INVALID_PARAMETER);
            assertThat(b.call(createTopic("broker-a", null)).code()).isEqualTo(ResponseCode.INVALID_PARAMETER);
            assertThat(b.call(topicReq(RequestCode.DELETE_TOPIC_IN_BROKER, "TBW102")).code())
                    .isEqualTo(ResponseCode.INVALID_PARAMETER);
        }
    }

    @Test
    void subscriptionGroupLifecycle() throws Exception {
        try (TestBroker b = new TestBroker(STORE)) {
            SubscriptionGroupConfig g = new SubscriptionGroupConfig("GID", true, false, false, true, 2, 5,
                    "CUSTOMIZED", 0, 1, true, 0, 15, Map.of());
            RemotingCommand put = RemotingCommand.createRequest(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP)
                    .setBody(g.encode());
            assertThat(b.call(put).code()).isZero();
            RemotingCommand all = b.call(RemotingCommand.createRequest(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG));
            var json = JsonReader.parseObject(all.bodyBytes());
            all.release();
            assertThat(SubscriptionGroupConfig.fromJson(json.getObject("subscriptionGroupTable").getObject("GID")))
                    .isEqualTo(g);
            assertThat(json.getObject("dataVersion").getLong("counter", -1)).isEqualTo(1);
            assertThat(b.call(RemotingCommand.createRequest(RequestCode.DELETE_SUBSCRIPTIONGROUP,
                    new DeleteSubscriptionGroupRequestHeader("GID", true))).code()).isZero();
            assertThat(b.f.groups.get("GID")).isNull();
        }
    }

    @Test
    void followerAnswersMetadataWritesWith14() throws Exception {
        try (TestBroker b = new TestBroker(STORE)) {
            b.f.proposer.leader(false);
            RemotingCommand r = b.call(createTopic("TopicTest", null));
            assertThat(r.code()).isEqualTo(ResponseCode.SERVICE_NOT_AVAILABLE);
            assertThat(b.f.topics.get("TopicTest")).isNull();
            RemotingCommand all = b.call(RemotingCommand.createRequest(RequestCode.GET_ALL_TOPIC_CONFIG));
            assertThat(all.code()).as("reads are served by followers").isZero();
            all.release();
        }
    }

    @Test
    void connectionsRuntimeInfoConfigConsumedByAndConsumeStats() throws Exception {
        try (TestBroker b = new TestBroker(STORE)) {
            b.admin.addRuntimeInfoContributor(t -> t.put("raftRole", "LEADER"));
            RemotingCommand none = b.call(RemotingCommand.createRequest(RequestCode.GET_CONSUMER_CONNECTION_LIST,
                    new ConsumerGroupHeader("CG")));
            assertThat(none.code()).isEqualTo(ResponseCode.CONSUMER_NOT_ONLINE);
            b.call(io.raftmq.broker.processor.clients.ClientProcessorsTest.heartbeat("c1", "CG"));
            RemotingCommand conn = b.call(RemotingCommand.createRequest(RequestCode.GET_CONSUMER_CONNECTION_LIST,
                    new ConsumerGroupHeader("CG")));
            ConsumerConnection cc = ConsumerConnection.decode(conn.bodyBytes());
            conn.release();
            assertThat(cc.connectionSet()).extracting(c -> c.clientId()).containsExactly("c1");
            assertThat(cc.subscriptionTable()).containsKey("T");

            RemotingCommand rt = b.call(RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO));
            Map<String, String> kv = KVTable.decode(rt.bodyBytes()).table();
            rt.release();
            assertThat(kv).containsEntry("brokerVersionDesc", "V5_3_3").containsEntry("raftRole", "LEADER")
                    .containsEntry("putTps", "0.0 0.0 0.0");

            RemotingCommand cfg = b.call(RemotingCommand.createRequest(RequestCode.GET_BROKER_CONFIG));
            assertThat(new String(cfg.bodyBytes(), StandardCharsets.UTF_8)).contains("brokerName=broker-a\n");
            assertThat(cfg.extFields().get("version")).contains("\"counter\"");
            cfg.release();

            b.f.topics.createOrUpdate(TopicConfig.of("T", 2)).join();
            b.f.offsets.commit("OG", "T", 1, 4);
            b.f.offsets.flush();
            RemotingCommand who = b.call(topicReq(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, "T"));
            assertThat(GroupList.decode(who.bodyBytes()).groupList()).containsExactly("CG", "OG");
            who.release();
        }
    }
}
