package io.raftmq.broker.processor.store;

import io.netty.buffer.ByteBuf;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.broker.processor.clients.Replies;
import io.raftmq.broker.processor.pull.PullProgress;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.broker.store.QueryResult;
import io.raftmq.broker.store.StoreReadException;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.ConsumeStats;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.OffsetWrapper;
import io.raftmq.client.protocol.body.TopicConfig;
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
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;

import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The store-backed queries, answered from committed data on any member (docs/protocol.md §2.5, 2.10, 2.11):
 * <pre>
 *  29 SEARCH_OFFSET_BY_TIMESTAMP  offset (LOWER / UPPER boundary)
 *  30 GET_MAX_OFFSET              offset (0 if unknown or empty)
 *  31 GET_MIN_OFFSET              offset (0 if never truncated)
 *  32 GET_EARLIEST_MSG_STORETIME  timestamp (-1 if the queue has no message)
 *  33 VIEW_MESSAGE_BY_ID          body = one stored message, or 1 "can not find message by the offset, N"
 *  12 QUERY_MESSAGE               0 + body, or 22; both with indexLastUpdateTimestamp / indexLastUpdatePhyoffset
 * 202 GET_TOPIC_STATS_INFO        TopicStatsTable per write queue {min, max, lastUpdateTimestamp}; 17 if unknown
 * 208 GET_CONSUME_STATS           ConsumeStats per read queue {brokerOffset, consumerOffset, pullOffset,
 *                                 lastTimestamp = store time of message consumerOffset - 1, 0 if unknown};
 *                                 a pop group's consumerOffset is how far it acknowledged ({@link PopProgress})
 * </pre>
 * 208 supersedes AdminProcessor's store-less version (register this processor for 208 after AdminProcessor).
 * Store I/O failures answer 1 SYSTEM_ERROR. Thread-safety: any executor thread, concurrently.
 */
public final class StoreQueryProcessor implements RequestProcessor {
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, RequestCode.GET_MAX_OFFSET,
        RequestCode.GET_MIN_OFFSET, RequestCode.GET_EARLIEST_MSG_STORETIME, RequestCode.VIEW_MESSAGE_BY_ID,
        RequestCode.QUERY_MESSAGE, RequestCode.GET_TOPIC_STATS_INFO, RequestCode.GET_CONSUME_STATS};

    private final BrokerStore store;
    private final TopicConfigManager topics;
    private final ConsumerOffsetManager offsets;
    private final PullProgress progress;
    private final PopProgress popped;
    private final String brokerName;

    /**
     * How far pop groups have acknowledged (the replicated pop state, docs/consumer-protocol.md "Pop consumption"):
     * their consumer offsets in GET_CONSUME_STATS, since a pop group commits no offsets of its own.
     */
    public interface PopProgress {
        /** No pop groups. */
        PopProgress NONE = new PopProgress() {
            @Override
            public long ackedThrough(String group, String topic, int queueId) {
                return -1;
            }

            @Override
            public Set<String> topicsOf(String group) {
                return Set.of();
            }
        };

        /** The offset below which the group acknowledged every message of the queue; -1 when it never popped it. */
        long ackedThrough(String group, String topic, int queueId);

        /** The topics the group popped from. */
        Set<String> topicsOf(String group);
    }

    /**
     * @param store      committed reads
     * @param topics     topic configs (queue counts)
     * @param offsets    committed consumer offsets
     * @param progress   last pulled offsets (from the pull processor)
     * @param brokerName the broker group name put into MessageQueue keys
     */
    public StoreQueryProcessor(BrokerStore store, TopicConfigManager topics, ConsumerOffsetManager offsets,
                               PullProgress progress, String brokerName) {
        this(store, topics, offsets, progress, PopProgress.NONE, brokerName);
    }

    /** As above, with the pop groups' progress ({@code popped}) in GET_CONSUME_STATS. */
    public StoreQueryProcessor(BrokerStore store, TopicConfigManager topics, ConsumerOffsetManager offsets,
                               PullProgress progress, PopProgress popped, String brokerName) {
        this.store = store;
        this.topics = topics;
        this.offsets = offsets;
        this.progress = progress;
        this.popped = popped;
        this.brokerName = brokerName;
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        try {
            return switch (request.code()) {
                case RequestCode.SEARCH_OFFSET_BY_TIMESTAMP -> searchOffset(request);
                case RequestCode.GET_MAX_OFFSET -> maxOffset(request);
                case RequestCode.GET_MIN_OFFSET -> minOffset(request);
                case RequestCode.GET_EARLIEST_MSG_STORETIME -> earliest(request);
                case RequestCode.VIEW_MESSAGE_BY_ID -> viewMessage(request);
                case RequestCode.QUERY_MESSAGE -> queryMessage(request);
                case RequestCode.GET_TOPIC_STATS_INFO -> topicStats(request);
                case RequestCode.GET_CONSUME_STATS -> consumeStats(request);
                default -> throw new IllegalStateException("unexpected code " + request.code());
            };
        } catch (StoreReadException e) {
            return Replies.error(ResponseCode.SYSTEM_ERROR, e.getMessage());
        }
    }

    private static RemotingCommand offsetReply(long offset) {
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, null, new OffsetResponseHeader(offset));
    }

    private RemotingCommand searchOffset(RemotingCommand request) throws RemotingCommandException,
            StoreReadException {
        SearchOffsetRequestHeader h = SearchOffsetRequestHeader.decode(request.extFields());
        return offsetReply(store.searchOffset(h.topic(), h.queueId(), h.timestamp(),
                h.boundaryType() == BoundaryType.UPPER));
    }

    private RemotingCommand maxOffset(RemotingCommand request) throws RemotingCommandException {
        GetMaxOffsetRequestHeader h = GetMaxOffsetRequestHeader.decode(request.extFields());
        return offsetReply(store.maxOffset(h.topic(), h.queueId()));
    }

    private RemotingCommand minOffset(RemotingCommand request) throws RemotingCommandException {
        QueueRequestHeader h = QueueRequestHeader.decode(request.extFields());
        return offsetReply(store.minOffset(h.topic(), h.queueId()));
    }

    private RemotingCommand earliest(RemotingCommand request) throws RemotingCommandException, StoreReadException {
        QueueRequestHeader h = QueueRequestHeader.decode(request.extFields());
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, null,
                new GetEarliestMsgStoretimeResponseHeader(store.earliestStoreTime(h.topic(), h.queueId())));
    }

    private RemotingCommand viewMessage(RemotingCommand request) throws RemotingCommandException {
        ViewMessageRequestHeader h = ViewMessageRequestHeader.decode(request.extFields());
        ByteBuf message = store.viewMessage(h.offset());
        if (message == null) {
            return Replies.error(ResponseCode.SYSTEM_ERROR, "can not find message by the offset, " + h.offset());
        }
        return Replies.ok().setBody(message);
    }

    private RemotingCommand queryMessage(RemotingCommand request) throws RemotingCommandException {
        QueryMessageRequestHeader h = QueryMessageRequestHeader.decode(request.extFields());
        QueryResult r = store.queryMessages(h.topic(), h.key(), h.maxNum(), h.beginTimestamp(), h.endTimestamp(),
                h.uniqueKeyQuery());
        QueryMessageResponseHeader header = new QueryMessageResponseHeader(r.indexLastUpdateTimestamp(),
                r.indexLastUpdatePhyoffset());
        if (r.messageCount() == 0) {
            return RemotingCommand.createResponse(ResponseCode.QUERY_NOT_FOUND, "can not find message, maybe time"
                    + " range not correct", header);
        }
        return RemotingCommand.createResponse(ResponseCode.SUCCESS, null, header).setBody(r.body());
    }

    private RemotingCommand topicStats(RemotingCommand request) throws RemotingCommandException,
            StoreReadException {
        String topic = TopicRequestHeader.decode(request.extFields()).topic();
        TopicConfig tc = topics.get(topic);
        if (tc == null) {
            return Replies.error(ResponseCode.TOPIC_NOT_EXIST, "topic[" + topic + "] not exist");
        }
        TreeMap<MessageQueue, TopicOffset> table = new TreeMap<>();
        for (int q = 0; q < tc.writeQueueNums(); q++) {
            table.put(new MessageQueue(topic, brokerName, q), new TopicOffset(store.minOffset(topic, q),
                    store.maxOffset(topic, q), store.lastStoreTime(topic, q)));
        }
        return Replies.ok().setBody(new TopicStatsTable(table, 0.0).encode());
    }

    private RemotingCommand consumeStats(RemotingCommand request) throws RemotingCommandException,
            StoreReadException {
        GetConsumeStatsRequestHeader h = GetConsumeStatsRequestHeader.decode(request.extFields());
        Set<String> topicSet = new TreeSet<>();
        if (h.topic() != null && !h.topic().isEmpty()) {
            topicSet.add(h.topic());
        } else if (h.topicList() != null && !h.topicList().isEmpty()) {
            topicSet.addAll(List.of(h.topicList().split(",")));
        } else {
            topicSet.addAll(offsets.topicsOf(h.consumerGroup()));
            topicSet.addAll(popped.topicsOf(h.consumerGroup()));
        }
        TreeMap<MessageQueue, OffsetWrapper> table = new TreeMap<>();
        for (String topic : topicSet) {
            TopicConfig tc = topics.get(topic);
            for (int q = 0; tc != null && q < tc.readQueueNums(); q++) {
                table.put(new MessageQueue(topic, brokerName, q), queueStats(h.consumerGroup(), topic, q));
            }
        }
        return Replies.ok().setBody(new ConsumeStats(0.0, table).encode());
    }

    private OffsetWrapper queueStats(String group, String topic, int queueId) throws StoreReadException {
        long consumer = Math.max(0, Math.max(offsets.query(group, topic, queueId),
            popped.ackedThrough(group, topic, queueId)));
        long pulled = Math.max(consumer, progress.pulled(group, topic, queueId));
        long last = consumer > 0 ? Math.max(0, store.storeTimeAt(topic, queueId, consumer - 1)) : 0;
        return new OffsetWrapper(store.maxOffset(topic, queueId), consumer, pulled, last);
    }
}
