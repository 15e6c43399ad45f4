package io.raftmq.broker.processor.store;

import io.netty.buffer.ByteBuf;
import io.raftmq.broker.processor.pull.PullTestBroker;
import io.raftmq.commitlog.store.StoreFixture;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.ConsumeStats;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.OffsetWrapper;
import io.raftmq.client.protocol.body.TopicOffset;
import io.raftmq.client.protocol.body.TopicStatsTable;
import io.raftmq.client.protocol.header.BoundaryType;
import io.raftmq.client.protocol.header.GetConsumeStatsRequestHeader;
import io.raftmq.client.protocol.header.GetEarliestMsgStoretimeResponseHeader;
import io.raftmq.client.protocol.header.GetMaxOffsetRequestHeader;
import io.raftmq.client.protocol.header.OffsetResponseHeader;
import io.raftmq.client.protocol.header.QueryMessageRequestHeader;
import io.raftmq.client.protocol.header.QueryMessageResponseHeader;
import io.raftmq.client.protocol.header.QueueRequestHeader;
import io.raftmq.client.protocol.header.SearchOffsetRequestHeader;
import io.raftmq.client.protocol.header.TopicRequestHeader;
import io.raftmq.client.protocol.header.ViewMessageRequestHeader;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the store-backed queries (29, 30, 31, 32, 33, 12, 202, 208) answer with the protocol's headers and bodies
 * (through the wire codec on an embedded connection), from committed data only. Method: {@link PullTestBroker}; 5
 * committed messages on T/0 with store times BASE + n s, one more appended but not committed.
 */
@SocketTest
class StoreQueryProcessorTest {
    private static final long BASE = StoreFixture.BASE_TS;
    @TempDir
    Path dir;
    PullTestBroker b;

    @BeforeEach
    void start() throws Exception {
        b = new PullTestBroker(dir);
        b.fx.append("T", 0, "TagA", 5);
        b.fx.commit();
        b.fx.append("T", 0, "TagA", 1); // uncommitted
    }

    @AfterEach
    void stop() throws Exception {
        b.close();
    }

    private long offset(RemotingCommand request) throws Exception {
        RemotingCommand r = b.call(request);
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        return OffsetResponseHeader.decode(r.extFields()).offset();
    }

    private static List<String> messages(RemotingCommand r) {
        ByteBuf body = r.body();
        ByteBuffer copy = ByteBuffer.allocate(body.readableBytes());
        body.getBytes(body.readerIndex(), copy);
        r.release();
        return StoreFixture.describe(copy.flip());
    }

    @Test
    void maxMinAndSearchOffsets() throws Exception {
        assertThat(offset(RemotingCommand.createRequest(RequestCode.GET_MAX_OFFSET,
                new GetMaxOffsetRequestHeader("T", 0, true, "broker-a")))).isEqualTo(5);
        assertThat(offset(RemotingCommand.createRequest(RequestCode.GET_MAX_OFFSET,
                new GetMaxOffsetRequestHeader("Nope", 0, true, null)))).isZero();
        assertThat(offset(RemotingCommand.createRequest(RequestCode.GET_MIN_OFFSET,
                new QueueRequestHeader("T", 0, null)))).isZero();
        assertThat(offset(RemotingCommand.createRequest(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
                new SearchOffsetRequestHeader("T", 0, BASE + 2500, BoundaryType.LOWER, null)))).isEqualTo(3);
        assertThat(offset(RemotingCommand.createRequest(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
                new SearchOffsetRequestHeader("T", 0, BASE + 2500, BoundaryType.UPPER, null)))).isEqualTo(2);
    }

    @Test
    void earliestStoreTime() throws Exception {
        RemotingCommand r = b.call(RemotingCommand.createRequest(RequestCode.GET_EARLIEST_MSG_STORETIME,
                new QueueRequestHeader("T", 0, null)));
        assertThat(GetEarliestMsgStoretimeResponseHeader.decode(r.extFields()).timestamp()).isEqualTo(BASE);
        RemotingCommand none = b.call(RemotingCommand.createRequest(RequestCode.GET_EARLIEST_MSG_STORETIME,
                new QueueRequestHeader("T", 3, null)));
        assertThat(GetEarliestMsgStoretimeResponseHeader.decode(none.extFields()).timestamp()).isEqualTo(-1);
    }

    @Test
    void viewMessageByPhysicalOffset() throws Exception {
        long phys = b.fx.physicalOffsets.get(4);
        RemotingCommand r = b.call(RemotingCommand.createRequest(RequestCode.VIEW_MESSAGE_BY_ID,
                new ViewMessageRequestHeader(phys, "T")));
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(messages(r)).containsExactly("T@4:m4");
        long uncommitted = b.fx.physicalOffsets.get(5);
        RemotingCommand missing = b.call(RemotingCommand.createRequest(RequestCode.VIEW_MESSAGE_BY_ID,
                new ViewMessageRequestHeader(uncommitted, null)));
        assertThat(missing.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(missing.remark()).isEqualTo("can not find message by the offset, " + uncommitted);
    }

    @Test
    void queryMessageByKeyAndUniqueKey() throws Exception {
        RemotingCommand r = b.call(RemotingCommand.createRequest(RequestCode.QUERY_MESSAGE,
                new QueryMessageRequestHeader("T", "k3", 64, 0, Long.MAX_VALUE, false)));
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        QueryMessageResponseHeader h = QueryMessageResponseHeader.decode(r.extFields());
        assertThat(h.indexLastUpdatePhyoffset()).isEqualTo(b.store.committedPosition());
        assertThat(messages(r)).containsExactly("T@3:m3");
        RemotingCommand uniq = b.call(RemotingCommand.createRequest(RequestCode.QUERY_MESSAGE,
                new QueryMessageRequestHeader("T", StoreFixture.uniqKey(1), 64, 0, Long.MAX_VALUE, true)));
        assertThat(messages(uniq)).containsExactly("T@1:m1");
        RemotingCommand none = b.call(RemotingCommand.createRequest(RequestCode.QUERY_MESSAGE,
                new QueryMessageRequestHeader("T", "k5", 64, 0, Long.MAX_VALUE, false))); // uncommitted one
        assertThat(none.code()).isEqualTo(ResponseCode.QUERY_NOT_FOUND);
        assertThat(none.extFields().toMap()).containsKeys("indexLastUpdateTimestamp", "indexLastUpdatePhyoffset");
    }

    @Test
    void topicStatsPerWriteQueue() throws Exception {
        RemotingCommand r = b.call(RemotingCommand.createRequest(RequestCode.GET_TOPIC_STATS_INFO,
                new TopicRequestHeader("T", null)));
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        TopicStatsTable t = TopicStatsTable.decode(r.bodyBytes());
        r.release();
        assertThat(t.offsetTable()).hasSize(4);
        assertThat(t.offsetTable().get(new MessageQueue("T", "broker-a", 0)))
                .isEqualTo(new TopicOffset(0, 5, BASE + 4000));
        assertThat(t.offsetTable().get(new MessageQueue("T", "broker-a", 1))).isEqualTo(new TopicOffset(0, 0, 0));
        assertThat(b.call(RemotingCommand.createRequest(RequestCode.GET_TOPIC_STATS_INFO,
                new TopicRequestHeader("Nope", null))).code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
    }

    @Test
    void consumeStatsWithConsumerPullAndTimestamp() throws Exception {
        var committed = b.f.offsets.commit(PullTestBroker.GROUP, "T", 0, 2);
        b.f.offsets.flush();
        committed.get(5, java.util.concurrent.TimeUnit.SECONDS);
        b.call(PullTestBroker.pullRequest(RequestCode.PULL_MESSAGE, 0, 2, PullTestBroker.SUB, "*", 0, 0)).release();
        RemotingCommand r = b.call(RemotingCommand.createRequest(RequestCode.GET_CONSUME_STATS,
                new GetConsumeStatsRequestHeader(PullTestBroker.GROUP, null, null)));
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        ConsumeStats s = ConsumeStats.decode(r.bodyBytes());
        r.release();
        assertThat(s.offsetTable()).hasSize(4);
        assertThat(s.offsetTable().get(new MessageQueue("T", "broker-a", 0)))
                .isEqualTo(new OffsetWrapper(5, 2, 5, BASE + 1000));
        assertThat(s.offsetTable().get(new MessageQueue("T", "broker-a", 1))).isEqualTo(new OffsetWrapper(0, 0, 0, 0));
    }
}
