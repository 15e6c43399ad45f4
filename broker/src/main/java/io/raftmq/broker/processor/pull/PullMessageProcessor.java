package io.raftmq.broker.processor.pull;

import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.filter.SqlFilterException;
import io.raftmq.broker.filter.SqlFilters;
import io.raftmq.broker.longpoll.HeldPull;
import io.raftmq.broker.longpoll.HeldPullRequests;
import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.broker.processor.clients.Replies;
import io.raftmq.broker.store.BrokerStats;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.broker.store.PullResult;
import io.raftmq.broker.store.PullStatus;
import io.raftmq.broker.store.StoreReadException;
import io.raftmq.broker.store.MessageFilter;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.QueueData;
import io.raftmq.client.protocol.body.SubscriptionData;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.header.PullMessageRequestHeader;
import io.raftmq.client.protocol.header.PullMessageResponseHeader;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361), docs/protocol.md §2.4 / 5.6, on the leader and on followers alike:
 * messages come from {@link BrokerStore}, i.e. from ConsumeQueues of committed data only.
 *
 * <pre>
 *  request checks                                   store status           code  nextBeginOffset
 *  unknown topic              -> 17                 FOUND                  0     last returned + 1
 *  topic not readable         -> 16                 NO_MATCHED_MESSAGE     20    after the scanned range
 *  queueId >= readQueueNums   -> 29                 MESSAGE_WAS_REMOVING   20    removed offset + 1
 *  group unknown, no autocreate -> 26               NO_MESSAGE_IN_QUEUE    19 if offset == 0 (holdable), else 21; 0
 *  group consumeEnable=false  -> 16                 OFFSET_OVERFLOW_ONE    19 (holdable)     offset
 *  no subscription (flag 0x4 unset) -> 24           OFFSET_OVERFLOW_BADLY  21    max
 *  (registered subVersion older: served, unfiltered) OFFSET_TOO_SMALL     21    min
 *  SQL92 with enablePropertyFilter off, or another type -> 1
 *  SQL92 expression that does not compile -> 23
 * </pre>
 * Every 0/19/20/21 answer carries suggestWhichBrokerId=0, nextBeginOffset, minOffset, maxOffset,
 * topicSysFlag=0, groupSysFlag=0 and the status name as remark (vectors 30 and 32); never offsetDelta (docs/protocol.md
 * trap 8).
 *
 * <p>A registered subscription older than the request's {@code subVersion} is not refused with 25
 * SUBSCRIPTION_NOT_LATEST (as RocketMQ's broker does) but served without tag filtering: the 5.3.3 push consumer bumps
 * subVersion on every rebalance change and announces it with a heartbeat sent only if it wins a tryLock, so that
 * heartbeat is sometimes skipped and every pull would then be refused until the next periodic heartbeat (30 s). The
 * client filters each pulled message again by its own current tags, so an unfiltered answer loses nothing. A SQL92
 * subscription (docs/consumer-protocol.md "SQL92 filters") is never served unfiltered (the client does not filter
 * again): an older registration's expression is used, and the request's own when it carries one (flag 0x4).
 *
 * <p>Each FOUND body goes out with {@code MSG_REGION} added to every message's properties ({@link RegionStamp};
 * docs/consumer-protocol.md "Message trace"); the store keeps the messages without it.
 *
 * <p>Long polling: a holdable 19 with the SUSPEND flag and suspendTimeoutMillis > 0 is held in
 * {@link HeldPullRequests} and answered later through {@link RequestContext#respond}; when woken by new data it
 * re-runs the pull (and may hold again until its deadline), at the deadline it re-runs without holding (vector
 * 32). When too many requests are held it answers 2 SYSTEM_BUSY (the client retries after 1 s).
 *
 * <p>COMMIT_OFFSET piggyback: with sysFlag bit 0 and commitOffset >= 0 (docs/protocol.md trap 7), and only when this
 * node is the leader, the offset goes to {@link ConsumerOffsetManager#commit} (fire and forget: the client commits
 * again every 5 s); followers drop it. Thread-safety: runs on any executor thread concurrently.
 */
public final class PullMessageProcessor implements RequestProcessor {
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.PULL_MESSAGE, RequestCode.LITE_PULL_MESSAGE};

    private static final Logger LOG = LoggerFactory.getLogger(PullMessageProcessor.class);
    /** Every pulled message names the region, for the official client's consume trace ({@link RegionStamp}). */
    private static final RegionStamp REGION = new RegionStamp(RegionStamp.DEFAULT_REGION);

    private final BrokerStore store;
    private final HeldPullRequests held;
    private final TopicConfigManager topics;
    private final SubscriptionGroupManager groups;
    private final ClientManager clients;
    private final ConsumerOffsetManager offsets;
    private final BooleanSupplier isLeader;
    private final PullProgress progress;
    private final BrokerStats stats;
    private final AtomicLong offsetCommitsDropped = new AtomicLong();
    private final AtomicLong staleSubscriptionPulls = new AtomicLong();
    private final SqlFilters sqlFilters;

    /**
     * @param store    committed message reads
     * @param held     long polling (its executor resumes woken requests)
     * @param topics   topic configs (existence, perm, readQueueNums)
     * @param groups   subscription groups (existence, consumeEnable)
     * @param clients  subscriptions registered by HEART_BEAT
     * @param offsets  consumer offsets (COMMIT_OFFSET piggyback)
     * @param isLeader whether this node is the Raft leader now
     * @param progress last pulled offsets (for GET_CONSUME_STATS)
     * @param stats    counts each answered pull and the messages it transferred
     */
    public PullMessageProcessor(BrokerStore store, HeldPullRequests held, TopicConfigManager topics,
                                SubscriptionGroupManager groups, ClientManager clients,
                                ConsumerOffsetManager offsets, BooleanSupplier isLeader, PullProgress progress,
                                BrokerStats stats) {
        this(store, held, topics, groups, clients, offsets, isLeader, progress, stats, new SqlFilters(true));
    }

    /** As above, with the broker's SQL92 subscriptions ({@code enablePropertyFilter} and compiled expressions). */
    public PullMessageProcessor(BrokerStore store, HeldPullRequests held, TopicConfigManager topics,
                                SubscriptionGroupManager groups, ClientManager clients,
                                ConsumerOffsetManager offsets, BooleanSupplier isLeader, PullProgress progress,
                                BrokerStats stats, SqlFilters sqlFilters) {
        this.sqlFilters = sqlFilters;
        this.store = store;
        this.held = held;
        this.topics = topics;
        this.groups = groups;
        this.clients = clients;
        this.offsets = offsets;
        this.isLeader = isLeader;
        this.progress = progress;
        this.stats = stats;
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        PullMessageRequestHeader h = PullMessageRequestHeader.decode(request.extFields());
        RemotingCommand refused = checkTopicAndGroup(h);
        if (refused != null) {
            return refused;
        }
        boolean bySubscriptionFlag = (h.sysFlag() & PullMessageRequestHeader.FLAG_SUBSCRIPTION) != 0;
        SubscriptionData registered = bySubscriptionFlag ? null : clients.subscription(h.consumerGroup(), h.topic());
        RemotingCommand badSubscription = checkSubscription(h, bySubscriptionFlag, registered);
        if (badSubscription != null) {
            return badSubscription;
        }
        MessageFilter filter;
        if (isSql(bySubscriptionFlag ? h.expressionType() : registered.expressionType())) {
            String expression = bySubscriptionFlag ? h.subscription() : registered.subString();
            try {
                filter = MessageFilter.ofSql(sqlFilters.compile(expression));
            } catch (SqlFilterException e) {
                return Replies.error(ResponseCode.SUBSCRIPTION_PARSE_FAILED, "parse the consumer's subscription["
                        + expression + "] failed: " + e.getMessage());
            }
        } else if (bySubscriptionFlag) {
            filter = MessageFilter.ofExpression(h.subscription());
        } else if (registered.subVersion() < h.subVersion()) {
            staleSubscriptionPulls.incrementAndGet();
            filter = MessageFilter.ALL; // the client re-filters by its current tags (class comment)
        } else {
            filter = MessageFilter.of(registered);
        }
        boolean suspend = (h.sysFlag() & PullMessageRequestHeader.FLAG_SUSPEND) != 0 && h.suspendTimeoutMillis() > 0;
        RemotingCommand response = pull(ctx, h, filter, suspend, suspend ? held.deadlineFor(h.suspendTimeoutMillis())
                : 0);
        commitPiggybackedOffset(h);
        return response;
    }

    private RemotingCommand checkTopicAndGroup(PullMessageRequestHeader h) {
        TopicConfig tc = topics.get(h.topic());
        if (tc == null) {
            return Replies.error(ResponseCode.TOPIC_NOT_EXIST, "topic[" + h.topic() + "] not exist, apply first"
                    + " please!");
        }
        if ((tc.perm() & QueueData.PERM_READ) == 0) {
            return Replies.error(ResponseCode.NO_PERMISSION, "the topic[" + h.topic() + "] pulling message is"
                    + " forbidden");
        }
        if (h.queueId() < 0 || h.queueId() >= tc.readQueueNums()) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, "queueId[" + h.queueId() + "] is illegal, topic:["
                    + h.topic() + "] topicConfig.readQueueNums:[" + tc.readQueueNums() + "]");
        }
        SubscriptionGroupConfig g = groups.get(h.consumerGroup());
        if (g == null && !groups.autoCreateEnabled()) {
            return Replies.error(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, "subscription group [" + h.consumerGroup()
                    + "] does not exist");
        }
        if (g != null && !g.consumeEnable()) {
            return Replies.error(ResponseCode.NO_PERMISSION, "subscription group no permission, "
                    + h.consumerGroup());
        }
        return null;
    }

    private static boolean isSql(String expressionType) {
        return SubscriptionData.TYPE_SQL92.equals(expressionType);
    }

    private RemotingCommand checkSubscription(PullMessageRequestHeader h, boolean byFlag,
                                              SubscriptionData registered) {
        String type = byFlag ? h.expressionType() : registered == null ? null : registered.expressionType();
        boolean supported = type == null || type.isEmpty() || SubscriptionData.TYPE_TAG.equals(type)
                || (isSql(type) && sqlFilters.enabled());
        if (!supported) {
            return Replies.error(ResponseCode.SYSTEM_ERROR, "The broker does not support consumer to filter message"
                    + " by " + type);
        }
        if (byFlag) {
            return null;
        }
        if (registered == null) {
            return Replies.error(ResponseCode.SUBSCRIPTION_NOT_EXIST, "the consumer's subscription not exist, group: "
                    + h.consumerGroup() + " topic: " + h.topic());
        }
        return null;
    }

    /** Runs the pull; holds it (returns null) when nothing is there yet and holding is allowed. */
    RemotingCommand pull(RequestContext ctx, PullMessageRequestHeader h, MessageFilter filter, boolean suspend,
                         long deadlineMs) {
        PullResult r;
        try {
            r = store.pull(h.topic(), h.queueId(), h.queueOffset(), h.maxMsgNums(),
                    h.maxMsgBytes() == null ? Integer.MAX_VALUE : h.maxMsgBytes(), filter);
        } catch (StoreReadException e) {
            LOG.warn("pull of {}/{} at {} failed: {}", h.topic(), h.queueId(), h.queueOffset(), e.getMessage());
            return Replies.error(ResponseCode.SYSTEM_ERROR, e.getMessage());
        }
        int code = PullCodes.code(r.status(), h.queueOffset());
        if (code == ResponseCode.PULL_NOT_FOUND && suspend) {
            if (held.hold(new Held(ctx, h, filter, deadlineMs))) {
                return null;
            }
            return Replies.error(ResponseCode.SYSTEM_BUSY, "[PULL]too many pull requests held, retry later");
        }
        progress.update(h.consumerGroup(), h.topic(), h.queueId(), r.nextBeginOffset());
        RemotingCommand response = response(code, r.status(), r.nextBeginOffset(), r.minOffset(), r.maxOffset());
        if (code == ResponseCode.SUCCESS) {
            stats.recordGet(h.topic(), h.consumerGroup(), r.messageCount(), r.bodyBytes());
            response.setBody(REGION.apply(r.takeBody())); // docs/consumer-protocol.md "Message trace"
        } else {
            stats.recordGet(h.topic(), h.consumerGroup(), 0, 0);
        }
        return response;
    }

    /**
     * A 0/19/20/21 pull response without body: remark = status name, header with the four required fields plus
     * topicSysFlag/groupSysFlag 0 and no offsetDelta (vectors 30, 32).
     */
    static RemotingCommand response(int code, PullStatus status, long nextBeginOffset, long minOffset,
                                    long maxOffset) {
        return RemotingCommand.createResponse(code, status.name(),
                new PullMessageResponseHeader(0, nextBeginOffset, minOffset, maxOffset, null, 0, 0, null));
    }

    private void commitPiggybackedOffset(PullMessageRequestHeader h) {
        if ((h.sysFlag() & PullMessageRequestHeader.FLAG_COMMIT_OFFSET) == 0 || h.commitOffset() < 0) {
            return;
        }
        if (!isLeader.getAsBoolean()) {
            offsetCommitsDropped.incrementAndGet();
            return;
        }
        offsets.commit(h.consumerGroup(), h.topic(), h.queueId(), h.commitOffset()).whenComplete((v, e) -> {
            if (e != null) {
                offsetCommitsDropped.incrementAndGet();
                LOG.debug("piggybacked offset of {} not stored: {}", h.consumerGroup(), e.toString());
            }
        });
    }

    /** Pulls served unfiltered because the heartbeat subscription was older than the request's subVersion. */
    public long staleSubscriptionPullCount() {
        return staleSubscriptionPulls.get();
    }

    /** Piggybacked offset commits dropped (follower, or refused by the offset manager). */
    public long offsetCommitsDroppedCount() {
        return offsetCommitsDropped.get();
    }

    /** A held request: resumed by {@link HeldPullRequests} on its executor. */
    private final class Held implements HeldPull {
        private final RequestContext ctx;
        private final PullMessageRequestHeader h;
        private final MessageFilter filter;
        private final long deadlineMs;

        Held(RequestContext ctx, PullMessageRequestHeader h, MessageFilter filter, long deadlineMs) {
            this.ctx = ctx;
            this.h = h;
            this.filter = filter;
            this.deadlineMs = deadlineMs;
        }

        @Override
        public String topic() {
            return h.topic();
        }

        @Override
        public int queueId() {
            return h.queueId();
        }

        @Override
        public long offset() {
            return h.queueOffset();
        }

        @Override
        public long deadlineMs() {
            return deadlineMs;
        }

        @Override
        public boolean isAbandoned() {
            return !ctx.channel().isActive();
        }

        @Override
        public void wake(boolean timedOut) {
            RemotingCommand response;
            try {
                response = pull(ctx, h, filter, !timedOut, deadlineMs);
            } catch (RuntimeException e) { // executor boundary: answer, log and count
                LOG.error("resuming a held pull of {}/{} failed", h.topic(), h.queueId(), e);
                response = Replies.error(ResponseCode.SYSTEM_ERROR, e.toString());
            }
            if (response != null) {
                ctx.respond(response);
            }
        }
    }
}
