package io.raftmq.broker.processor.clients;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.metadata.FakeProposer;
import io.raftmq.broker.offset.StoreView;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.ConsumerData;
import io.raftmq.client.protocol.body.ConsumerIdList;
import io.raftmq.client.protocol.body.HeartbeatData;
import io.raftmq.client.protocol.body.ProducerData;
import io.raftmq.client.protocol.body.SubscriptionData;
import io.raftmq.client.protocol.header.ConsumerGroupHeader;
import io.raftmq.client.protocol.header.OffsetResponseHeader;
import io.raftmq.client.protocol.header.QueryConsumerOffsetRequestHeader;
import io.raftmq.client.protocol.header.UnregisterClientRequestHeader;
import io.raftmq.client.protocol.header.UpdateConsumerOffsetRequestHeader;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: HEART_BEAT, UNREGISTER_CLIENT, GET_CONSUMER_LIST_BY_GROUP, QUERY/UPDATE_CONSUMER_OFFSET behave per
 * docs/protocol.md 2.2/2.5/2.6 (requests, responses and the NOTIFY_CONSUMER_IDS_CHANGED callback through the wire
 * codec), with auto-creation and offsets going through the (fake, synchronous) Raft log; closing the connection
 * drops the client; a follower answers writes with 14. Method: {@link TestBroker} on an embedded connection.
 */
@SocketTest
public class ClientProcessorsTest {
    public static RemotingCommand heartbeat(String clientId, String group) {
        SubscriptionData s = new SubscriptionData("T", "TagA", List.of("TagA"), List.of("TagA".hashCode()), 1,
                SubscriptionData.TYPE_TAG, false);
        HeartbeatData hb = new HeartbeatData(clientId, List.of(new ProducerData("CLIENT_INNER_PRODUCER")),
                List.of(new ConsumerData(group, ConsumerData.CONSUME_PASSIVELY, ConsumerData.CLUSTERING,
                        ConsumerData.CONSUME_FROM_LAST_OFFSET, List.of(s), false)), 0, false);
        RemotingCommand r = RemotingCommand.createRequest(RequestCode.HEART_BEAT);
        r.extFieldsOrEmpty();
        return r.setBody(hb.encode());
    }

    @Test
    void heartbeatRegistersAutoCreatesThroughTheLogAndNotifies() throws Exception {
        try (TestBroker b = new TestBroker(StoreView.EMPTY)) {
            RemotingCommand r = b.call(heartbeat("10.0.0.1@1#1", "CG"));
            assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
            assertThat(r.version()).isEqualTo(479);
            assertThat(r.extFields().toMap()).containsEntry("IS_SUPPORT_HEART_BEAT_V2", "true")
                    .containsEntry("IS_SUB_CHANGE", "true");
            assertThat(b.f.proposer.log()).extracting(FakeProposer.Logged::type)
                    .containsExactly(EntryType.GROUP_PUT, EntryType.TOPIC_PUT);
            assertThat(b.f.groups.get("CG")).isNotNull();
            assertThat(b.f.topics.get("%RETRY%CG").perm()).isEqualTo(6);
            RemotingCommand notify = b.server.takePeerRequest();
            assertThat(notify).as("a callback to the client").isNotNull();
            assertThat(notify.code()).isEqualTo(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED);
            assertThat(notify.extFields().get("consumerGroup") + "/oneway=" + notify.isOneway())
                    .isEqualTo("CG/oneway=true");
            notify.release();
            assertThat(b.clients.subscription("CG", "T").subString()).isEqualTo("TagA");

            RemotingCommand list = b.call(RemotingCommand.createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP,
                    new ConsumerGroupHeader("CG")));
            assertThat(ConsumerIdList.decode(list.bodyBytes()).consumerIdList()).containsExactly("10.0.0.1@1#1");
            list.release();
            assertThat(b.call(heartbeat("10.0.0.1@1#1", "CG")).code()).isZero();
            assertThat(b.f.proposer.log()).as("second heartbeat proposes nothing").hasSize(2);

            RemotingCommand un = b.call(RemotingCommand.createRequest(RequestCode.UNREGISTER_CLIENT,
                    new UnregisterClientRequestHeader("10.0.0.1@1#1", null, "CG")));
            assertThat(un.code()).isZero();
            RemotingCommand none = b.call(RemotingCommand.createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP,
                    new ConsumerGroupHeader("CG")));
            assertThat(none.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
            assertThat(none.remark()).isEqualTo("no consumer for this group, CG");
        }
    }

    /** Found by BrokerFuzzTest: these bodies used to throw NullPointerException inside ClientManager. */
    @Test
    void heartbeatWithoutClientIdGroupOrTopicIsRejectedNamingTheField() throws Exception {
        String[][] bodies = {
            {"{\"consumerDataSet\":[],\"producerDataSet\":[]}", "without clientID"},
            {"{\"clientID\":\"c1\",\"producerDataSet\":[{}]}", "producerDataSet entry without groupName"},
            {"{\"clientID\":\"c1\",\"consumerDataSet\":[{\"messageModel\":\"CLUSTERING\"}]}",
                "consumerDataSet entry without groupName"},
            {"{\"clientID\":\"c1\",\"consumerDataSet\":[{\"groupName\":\"CG\",\"subscriptionDataSet\":"
                + "[{\"subString\":\"*\"}]}]}", "subscription of group CG without topic"},
        };
        try (TestBroker b = new TestBroker(StoreView.EMPTY)) {
            for (String[] body : bodies) {
                RemotingCommand req = RemotingCommand.createRequest(RequestCode.HEART_BEAT);
                req.extFieldsOrEmpty();
                RemotingCommand r = b.call(req.setBody(body[0].getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                assertThat(r.code()).as(body[0]).isEqualTo(ResponseCode.SYSTEM_ERROR);
                assertThat(r.remark()).as(body[0]).contains(body[1]);
            }
            assertThat(b.call(heartbeat("c1", "CG")).code()).as("a good heartbeat still works").isZero();
        }
    }

    @Test
    void channelCloseDropsTheClient() throws Exception {
        try (TestBroker b = new TestBroker(StoreView.EMPTY)) {
            b.call(heartbeat("c1", "CG"));
            assertThat(b.clients.consumerIds("CG")).containsExactly("c1");
            b.server.disconnect();
            Awaits.await("client dropped").atMost(Duration.ofSeconds(5))
                    .until(() -> b.clients.consumerIds("CG").isEmpty());
            assertThat(b.clients.consumerIds("CG")).isEmpty();
        }
    }

    private static RemotingCommand query(String group, int queue, Boolean zero) {
        return RemotingCommand.createRequest(RequestCode.QUERY_CONSUMER_OFFSET,
                new QueryConsumerOffsetRequestHeader(group, "T", queue, zero, "broker-a"));
    }

    @Test
    void queryRulesForUnknownOffsets() throws Exception {
        AtomicReference<Long> min = new AtomicReference<>(0L);
        StoreView store = new StoreView() {
            @Override
            public long minOffset(String topic, int queueId) {
                return min.get();
            }

            @Override
            public long maxOffset(String topic, int queueId) {
                return 100;
            }
        };
        try (TestBroker b = new TestBroker(store)) {
            assertThat(b.call(query("G", 0, false)).code()).isEqualTo(ResponseCode.QUERY_NOT_FOUND);
            RemotingCommand zero = b.call(query("G", 0, null));
            assertThat(zero.code()).isZero();
            assertThat(OffsetResponseHeader.decode(zero.extFields()).offset()).isZero();
            assertThat(b.call(query("G", 0, true)).code()).isZero();
            min.set(5L);
            RemotingCommand truncated = b.call(query("G", 0, true));
            assertThat(truncated.code()).isEqualTo(ResponseCode.QUERY_NOT_FOUND);
            assertThat(truncated.extFields()).isNotNull();
        }
    }

    @Test
    void updateIsBatchedReplicatedAndReadable() throws Exception {
        try (TestBroker b = new TestBroker(StoreView.EMPTY)) {
            RemotingCommand oneway = RemotingCommand.createRequest(RequestCode.UPDATE_CONSUMER_OFFSET,
                    new UpdateConsumerOffsetRequestHeader("G", "T", 1, 77, "broker-a"));
            b.server.sendOneway(oneway);
            RemotingCommand sync = b.call(RemotingCommand.createRequest(RequestCode.UPDATE_CONSUMER_OFFSET,
                    new UpdateConsumerOffsetRequestHeader("G", "T", 0, 42, "broker-a")));
            assertThat(sync.code()).isZero();
            RemotingCommand q = b.call(query("G", 0, false));
            assertThat(OffsetResponseHeader.decode(q.extFields()).offset()).as("read your write").isEqualTo(42);
            Awaits.await("oneway commit applied").atMost(Duration.ofSeconds(5))
                    .until(() -> b.f.offsets.query("G", "T", 1) == 77);
            assertThat(OffsetResponseHeader.decode(b.call(query("G", 1, false)).extFields()).offset()).isEqualTo(77);
            assertThat(b.f.proposer.log()).allMatch(l -> l.type() == EntryType.CONSUMER_OFFSETS);
            assertThat(b.call(RemotingCommand.createRequest(RequestCode.UPDATE_CONSUMER_OFFSET,
                    new UpdateConsumerOffsetRequestHeader("G", "T", 0, -1, null))).code())
                    .isEqualTo(ResponseCode.INVALID_PARAMETER);
        }
    }

    @Test
    void followerAnswersWritesWith14ButStillRegistersClients() throws Exception {
        try (TestBroker b = new TestBroker(StoreView.EMPTY)) {
            b.f.proposer.leader(false);
            assertThat(b.call(heartbeat("c1", "CG")).code()).isZero();
            assertThat(b.clients.consumerIds("CG")).containsExactly("c1");
            assertThat(b.f.proposer.log()).isEmpty();
            RemotingCommand r = b.call(RemotingCommand.createRequest(RequestCode.UPDATE_CONSUMER_OFFSET,
                    new UpdateConsumerOffsetRequestHeader("G", "T", 0, 42, null)));
            assertThat(r.code()).isEqualTo(ResponseCode.SERVICE_NOT_AVAILABLE);
            assertThat(r.remark()).startsWith("[NOT_LEADER]");
            b.server.sendOneway(RemotingCommand.createRequest(RequestCode.UPDATE_CONSUMER_OFFSET,
                    new UpdateConsumerOffsetRequestHeader("G", "T", 0, 43, null)));
            Awaits.await("oneway commit refused").atMost(Duration.ofSeconds(5))
                    .until(() -> b.consumerProcessor.onewayCommitsFailed() > 0);
            assertThat(b.consumerProcessor.onewayCommitsFailed()).isEqualTo(1);
        }
    }
}
