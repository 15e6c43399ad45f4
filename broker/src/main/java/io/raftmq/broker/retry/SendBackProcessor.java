package io.raftmq.broker.retry;

import io.netty.buffer.ByteBuf;
import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.processor.clients.Replies;
import io.raftmq.broker.processor.send.Placement;
import io.raftmq.broker.processor.send.SendRejectedException;
import io.raftmq.broker.processor.send.SendRoute;
import io.raftmq.broker.produce.InternalProducer;
import io.raftmq.broker.produce.InternalSendException;
import io.raftmq.broker.produce.Redraft;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.header.ConsumerSendMsgBackRequestHeader;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageIds;
import io.raftmq.commitlog.message.StoredMessage;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * CONSUMER_SEND_MSG_BACK (36), docs/protocol.md §2.7 and docs/messaging.md "Retry and dead-letter queues": a
 * consumer hands back a message it failed to consume, named by its physical offset.
 * <ol>
 *   <li>the group must exist or be auto-created (else 26); the offset must start a committed message (else 1
 *       {@code look message by offset failed, N}, nothing stored);</li>
 *   <li>{@link RetryPolicy#sendBack}: to {@code %DLQ%group} queue 0 once the stored reconsumeTimes reaches the
 *       maximum (header, else the group's retryMaxTimes) or the level is negative; else to {@code %RETRY%group}
 *       with DELAY = the client's level or 3 + reconsumeTimes. Either topic is created on demand (1 queue, perm 6;
 *       the retry topic with the group's retryQueueNums), which registers it with every NameServer at once;</li>
 *   <li>the copy keeps body, flag, sysFlag, born time and host and the properties, adds RETRY_TOPIC and
 *       ORIGIN_MESSAGE_ID if absent, has reconsumeTimes + 1 and PREPAREDTRANSACTIONOFFSET 0; it passes the send
 *       routes (a DELAY is parked by the delay route) and is appended through the {@link InternalProducer};</li>
 *   <li>answer 0 after the commit; a failed append answers its code (14 not leader, 2 busy, 1).</li>
 * </ol>
 *
 * <p>Threads: the control-plane pool; answers from the raft agent thread.
 */
public final class SendBackProcessor implements RequestProcessor {
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.CONSUMER_SEND_MSG_BACK};

    private final BrokerStore store;
    private final TopicConfigManager topics;
    private final SubscriptionGroupManager groups;
    private final InternalProducer producer;
    private final List<SendRoute> routes;
    private final HostAddress storeHost;
    private final LongSupplier clockMs;
    private final long timeoutMs;
    private final AtomicInteger queueChooser = new AtomicInteger();

    /** The consumed message, copied out of the store. */
    private record Source(MessageDraft draft, String topic, String properties, int reconsumeTimes, int sysFlag,
                          long bornTimestamp, int flag, String offsetMsgId) {
    }

    /**
     * @param routes    the broker's send routes, in order (the same list the send processor uses)
     * @param timeoutMs how long topic creation and the commit may take before answering 1
     */
    public SendBackProcessor(BrokerStore store, TopicConfigManager topics, SubscriptionGroupManager groups,
                             InternalProducer producer, List<SendRoute> routes, HostAddress storeHost,
                             LongSupplier clockMs, long timeoutMs) {
        this.store = store;
        this.topics = topics;
        this.groups = groups;
        this.producer = producer;
        this.routes = List.copyOf(routes);
        this.storeHost = storeHost;
        this.clockMs = clockMs;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        ConsumerSendMsgBackRequestHeader h = ConsumerSendMsgBackRequestHeader.decode(request.extFields());
        CompletableFuture<RemotingCommand> f = groups.findOrCreate(h.group()).thenCompose(cfg -> sendBack(h, cfg));
        return Replies.later(ctx, f, timeoutMs, r -> r);
    }

    /**
     * Sends the committed message at {@code offset} to {@code %DLQ%group} as a send-back with a negative level
     * would: popped messages handed out too often (docs/consumer-protocol.md "Pop consumption"). Completes true
     * once the copy is committed.
     */
    public CompletableFuture<Boolean> deadLetter(String group, long offset) {
        ConsumerSendMsgBackRequestHeader h = new ConsumerSendMsgBackRequestHeader(offset, group, -1, null, null,
            false, null, null);
        return groups.findOrCreate(group).thenCompose(cfg -> sendBack(h, cfg)).thenApply(r -> r.code() == 0);
    }

    private CompletableFuture<RemotingCommand> sendBack(ConsumerSendMsgBackRequestHeader h,
                                                        SubscriptionGroupConfig cfg) {
        if (cfg == null) {
            return CompletableFuture.completedFuture(Replies.error(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
                "subscription group not exist, " + h.group()));
        }
        Source src = read(h.offset());
        if (src == null) {
            return CompletableFuture.completedFuture(Replies.error(ResponseCode.SYSTEM_ERROR,
                "look message by offset failed, " + h.offset()));
        }
        int max = RetryPolicy.maxReconsumeTimes(h.maxReconsumeTimes(), cfg);
        RetryPolicy.Target t = RetryPolicy.sendBack(src.reconsumeTimes(), max, h.delayLevel());
        String props = RetryPolicy.sendBackProperties(src.properties(), src.topic(), src.offsetMsgId(), t);
        CompletableFuture<TopicConfig> topic = t.deadLetter()
            ? createIfAbsent(RetryPolicy.deadLetterTopic(h.group()))
            : topics.createRetryTopicIfAbsent(h.group(), cfg.retryQueueNums());
        return topic.thenCompose(tc -> append(h.group(), src, tc, t.deadLetter() ? 0 : chooseQueue(tc), props, max))
            .exceptionally(e -> Replies.unwrap(e) instanceof InternalSendException ise
                ? Replies.error(ise.responseCode(), ise.getMessage()) : Replies.failure(e));
    }

    /** The message at {@code offset}, copied; null when no committed message starts there. */
    private Source read(long offset) {
        ByteBuf buf = offset < 0 ? null : store.viewMessage(offset);
        if (buf == null) {
            return null;
        }
        try {
            StoredMessage m = new StoredMessage().wrap(buf.nioBuffer(), 0);
            return new Source(Redraft.from(m), m.topic(), m.properties(), m.reconsumeTimes(), m.sysFlag(),
                m.bornTimestamp(), m.flag(), MessageIds.offsetMsgId(m));
        } finally {
            buf.release();
        }
    }

    private CompletableFuture<TopicConfig> createIfAbsent(String topic) {
        TopicConfig existing = topics.get(topic);
        return existing != null ? CompletableFuture.completedFuture(existing)
            : topics.createOrUpdate(new TopicConfig(topic, 1, 1, TopicConfigManager.PERM_RW, TopicConfig.SINGLE_TAG,
                0, false, Map.of()));
    }

    private int chooseQueue(TopicConfig tc) {
        return Math.floorMod(queueChooser.getAndIncrement(), Math.max(1, tc.writeQueueNums()));
    }

    /** Routes the copy like a producer's send of it, then appends it; completes with the answer. */
    private CompletableFuture<RemotingCommand> append(String group, Source src, TopicConfig tc, int queueId,
                                                      String props, int max) {
        int times = src.reconsumeTimes() + 1;
        Placement p = new Placement(tc.topicName(), queueId, props, src.sysFlag());
        SendMessageRequestHeader rh = new SendMessageRequestHeader(group, p.topic(), null, 0, queueId, p.sysFlag(),
            src.bornTimestamp(), src.flag(), props, times, false, false, max, null);
        try {
            for (SendRoute r : routes) {
                p = r.route(rh, p);
            }
        } catch (SendRejectedException e) {
            return CompletableFuture.completedFuture(Replies.error(e.responseCode(), e.getMessage()));
        }
        MessageDraft d = src.draft().topic(p.topic()).queueId(p.queueId()).properties(p.properties())
            .sysFlag(p.sysFlag()).reconsumeTimes(times).preparedTransactionOffset(0)
            .storeTimestamp(clockMs.getAsLong()).storeHost(storeHost);
        return producer.submit(d).thenApply(s -> Replies.ok());
    }
}
