package io.raftmq.broker.processor.send;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.metadata.Names;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.processor.clients.Replies;
import io.raftmq.broker.replication.AppendCallback;
import io.raftmq.broker.replication.SendBatcher;
import io.raftmq.broker.store.BrokerStats;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.QueueData;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.client.protocol.header.SendMessageResponseHeader;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320), docs/protocol.md §2.3. In order:
 * <ol>
 *   <li>a follower forwards the request to the leader ({@link LeaderForwarder}); while no leader is known it holds
 *       the request ({@link SendHold}) and forwards it once one is, or answers 14 when none appears in time;</li>
 *   <li>topic rules: name charset/length (29), system topics (16), unknown topic auto-created from the template
 *       when allowed (else 17), topic writable (16), queueId in range (29; &lt; 0 = the broker picks);</li>
 *   <li>size: body (or whole batch body) at most {@code messageSizeMax}, properties at most 32767 bytes (13);</li>
 *   <li>route a single message ({@link SendRoute}s in order: transaction half, retry/dead letter, delay/timer),
 *       encode the stored messages ({@link SendEncoder}) and hand them to the {@link SendBatcher};</li>
 *   <li>after the Raft commit: SUCCESS with the offset msgId(s) (storeHost = this broker's client-facing address +
 *       physical offset), queueId, the first queue offset, transactionId = UNIQ_KEY, MSG_REGION and TRACE_ON.</li>
 * </ol>
 * Failures after validation come from the batcher (14 / 2 / 1, never 12), except that a send refused because
 * leadership is moving away (it never entered the log) is held and then forwarded to the new leader, so a leadership
 * transfer refuses no send (docs/raft-driver.md, "Sends while leadership moves").
 *
 * <p>Threads: runs on the Netty I/O thread that read the request (nothing here blocks), and for a held send on the
 * hold's timer thread; answers from the raft agent thread (commit) or the auto-create future.
 */
public final class SendMessageProcessor implements RequestProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(SendMessageProcessor.class);
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.SEND_MESSAGE, RequestCode.SEND_MESSAGE_V2,
        RequestCode.SEND_BATCH_MESSAGE, RequestCode.SEND_REPLY_MESSAGE, RequestCode.SEND_REPLY_MESSAGE_V2};
    /** Topics producers may not write (docs/protocol.md §2.3 step 1). */
    static final Set<String> SYSTEM_TOPICS = Set.of("SCHEDULE_TOPIC_XXXX", "RMQ_SYS_TRANS_HALF_TOPIC",
        "RMQ_SYS_TRANS_OP_HALF_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC", "SELF_TEST_TOPIC", "OFFSET_MOVED_EVENT",
        "rmq_sys_wheel_timer");
    static final String REGION = "DefaultRegion";
    /** {@code heldSinceMs} of a send that was never held. */
    private static final long NOT_HELD = Long.MIN_VALUE;

    private final BrokerConfig config;
    private final TopicConfigManager topics;
    private final SendBatcher batcher;
    private final LeaderLocator leader;
    private final LeaderForwarder forwarder;
    private final SendHold hold;
    private final long holdMsMax;
    private final HostAddress storeHost;
    private final LongSupplier clockMs;
    private final BrokerStats stats;
    private final UniqKeys uniqKeys;
    private final List<SendRoute> routes;
    private final ThreadLocal<SendEncoder> encoders = ThreadLocal.withInitial(SendEncoder::new);
    private final AtomicInteger queueChooser = new AtomicInteger();

    /**
     * @param hold   where sends wait while leadership moves
     * @param stats  counts the messages of every committed send
     * @param routes where single messages are stored, applied in order ({@link SendRoute})
     */
    public SendMessageProcessor(BrokerConfig config, TopicConfigManager topics, SendBatcher batcher,
                                LeaderLocator leader, LeaderForwarder forwarder, SendHold hold,
                                HostAddress storeHost, LongSupplier clockMs, BrokerStats stats,
                                List<SendRoute> routes) {
        this.config = config;
        this.topics = topics;
        this.batcher = batcher;
        this.leader = leader;
        this.forwarder = forwarder;
        this.hold = hold;
        this.holdMsMax = hold.holdMsMax();
        this.storeHost = storeHost;
        this.clockMs = clockMs;
        this.stats = stats;
        this.routes = List.copyOf(routes);
        this.uniqKeys = new UniqKeys(storeHost.ip(), ProcessHandle.current().pid(), clockMs.getAsLong());
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        return dispatch(ctx, request, NOT_HELD);
    }

    /**
     * The send path; {@code heldSinceMs} is when the send was first held ({@link #NOT_HELD}: never). Returns the
     * answer, or null when it follows later.
     */
    private RemotingCommand dispatch(RequestContext ctx, RemotingCommand request, long heldSinceMs)
            throws RemotingCommandException {
        if (!leader.isLeader()) {
            String addr = leader.leaderBrokerAddr();
            return addr != null ? forwarder.forward(ctx, request, addr) : holdOrRefuse(ctx, request, heldSinceMs,
                ResponseCode.SERVICE_NOT_AVAILABLE, "[NOT_LEADER]this broker is a follower and no leader of its"
                    + " group became known within " + holdMsMax + " ms");
        }
        SendMessageRequestHeader h = SendMessageRequestHeader.decode(request.code(), request.extFields());
        try {
            checkSize(request);
            TopicConfig tc = topics.get(h.topic());
            if (tc != null) {
                store(ctx, request, h, tc, heldSinceMs);
                return null;
            }
            checkTopicName(h.topic());
        } catch (SendRejectedException e) {
            return Replies.error(e.responseCode(), e.getMessage());
        }
        autoCreateThenStore(ctx, request, h, heldSinceMs);
        return null;
    }

    /**
     * Holds the send until a leader is known ({@link SendHold}); when the hold is full or the send's time is up,
     * returns the refusal ({@code code}, {@code remark}) instead. The hold keeps its own reference to the request.
     */
    private RemotingCommand holdOrRefuse(RequestContext ctx, RemotingCommand request, long heldSinceMs, int code,
                                         String remark) {
        long since = heldSinceMs == NOT_HELD ? hold.nowMs() : heldSinceMs;
        request.retain();
        if (hold.hold(since, request.bodyLength(), new HeldSend(ctx, request, since))) {
            return null;
        }
        request.release();
        return Replies.error(code, remark);
    }

    private void checkSize(RemotingCommand request) throws SendRejectedException {
        if (request.bodyLength() > config.messageSizeMax()) {
            throw new SendRejectedException(ResponseCode.MESSAGE_ILLEGAL, "the message body is "
                + request.bodyLength() + " bytes, more than messageSizeMax " + config.messageSizeMax());
        }
        if (request.bodyLength() == 0) {
            throw new SendRejectedException(ResponseCode.MESSAGE_ILLEGAL, "the message body is empty");
        }
    }

    private static void checkTopicName(String topic) throws SendRejectedException {
        String bad = Names.checkTopic(topic);
        if (bad != null) {
            throw new SendRejectedException(ResponseCode.INVALID_PARAMETER, bad);
        }
        if (SYSTEM_TOPICS.contains(topic)) {
            throw new SendRejectedException(ResponseCode.NO_PERMISSION, "the system topic " + topic
                + " cannot be sent to");
        }
    }

    /** Creates the topic from the template (docs/protocol.md §5.10), then stores; the request is retained meanwhile. */
    private void autoCreateThenStore(RequestContext ctx, RemotingCommand request, SendMessageRequestHeader h,
                                     long heldSinceMs) {
        request.retain();
        createInSend(h)
            .orTimeout(config.metadataProposeTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS)
            .whenComplete((tc, e) -> {
                try {
                    if (e != null) {
                        ctx.respond(Replies.failure(e));
                    } else if (tc == null) {
                        ctx.respond(Replies.error(ResponseCode.TOPIC_NOT_EXIST, "topic " + h.topic()
                            + " does not exist and auto-creation from " + h.defaultTopic() + " is not allowed"));
                    } else {
                        store(ctx, request, h, tc, heldSinceMs);
                    }
                } catch (SendRejectedException ex) {
                    ctx.respond(Replies.error(ex.responseCode(), ex.getMessage()));
                } finally {
                    request.release();
                }
            });
    }

    /**
     * The topic a send creates: {@code %RETRY%group} and {@code %DLQ%group} as RocketMQ creates them (1 queue,
     * perm 6, docs/protocol.md §5.10), any other from the producer's template.
     */
    private CompletableFuture<TopicConfig> createInSend(SendMessageRequestHeader h) {
        String t = h.topic();
        if (t.startsWith(Names.RETRY_GROUP_TOPIC_PREFIX) || t.startsWith(Names.DLQ_GROUP_TOPIC_PREFIX)) {
            return createGroupTopic(t);
        }
        return topics.createTopicInSendIfAbsent(h.topic(), h.defaultTopic(), h.defaultTopicQueueNums(), 0);
    }

    private CompletableFuture<TopicConfig> createGroupTopic(String topic) {
        TopicConfig existing = topics.get(topic);
        return existing != null ? CompletableFuture.completedFuture(existing)
            : topics.createOrUpdate(new TopicConfig(topic, 1, 1, TopicConfigManager.PERM_RW, TopicConfig.SINGLE_TAG,
                0, false, Map.of()));
    }

    /** Checks the queue, encodes and submits; the response follows from the batcher's callback. */
    private void store(RequestContext ctx, RemotingCommand request, SendMessageRequestHeader h, TopicConfig tc,
                       long heldSinceMs) throws SendRejectedException {
        if ((tc.perm() & QueueData.PERM_WRITE) == 0) {
            throw new SendRejectedException(ResponseCode.NO_PERMISSION, "the topic " + h.topic()
                + " is not writable (perm " + tc.perm() + ")");
        }
        int queues = Math.max(tc.readQueueNums(), tc.writeQueueNums());
        int queueId = h.queueId() < 0 ? Math.floorMod(queueChooser.getAndIncrement(), Math.max(1,
            tc.writeQueueNums())) : h.queueId();
        if (queueId >= queues) {
            throw new SendRejectedException(ResponseCode.INVALID_PARAMETER, "queueId " + queueId
                + " is out of range: topic " + h.topic() + " has " + queues + " queues");
        }
        Placement p = request.code() == RequestCode.SEND_BATCH_MESSAGE ? null : route(h, queueId);
        if (p != null && p.topic().startsWith(Names.DLQ_GROUP_TOPIC_PREFIX) && topics.get(p.topic()) == null) {
            createRoutedThenStore(ctx, request, h, queueId, p, heldSinceMs);
            return;
        }
        encodeAndSubmit(ctx, request, h, queueId, p, heldSinceMs);
    }

    /** A send the routes moved to a dead-letter topic not created yet: create it (1 queue, perm 6), then store. */
    private void createRoutedThenStore(RequestContext ctx, RemotingCommand request, SendMessageRequestHeader h,
                                       int queueId, Placement p, long heldSinceMs) {
        request.retain();
        createGroupTopic(p.topic())
            .orTimeout(config.metadataProposeTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS)
            .whenComplete((tc, e) -> {
                try {
                    if (e != null) {
                        ctx.respond(Replies.failure(e));
                    } else {
                        encodeAndSubmit(ctx, request, h, queueId, p, heldSinceMs);
                    }
                } catch (SendRejectedException ex) {
                    ctx.respond(Replies.error(ex.responseCode(), ex.getMessage()));
                } finally {
                    request.release();
                }
            });
    }

    /**
     * Encodes a batch ({@code p} null) or a single message stored at {@code p}, and submits it. The reply keeps a
     * reference to the request until the send is answered: a send refused because leadership moves is held and
     * forwarded as it came.
     */
    private void encodeAndSubmit(RequestContext ctx, RemotingCommand request, SendMessageRequestHeader h,
                                 int queueId, Placement p, long heldSinceMs) throws SendRejectedException {
        HostAddress born = bornHost(ctx, request);
        ByteBuffer body = request.body().nioBuffer();
        SendEncoder enc = encoders.get();
        long now = clockMs.getAsLong();
        SendEncoder.Encoded e = p == null
            ? enc.batch(h, queueId, body, born, storeHost, config.brokerClusterName(), uniqKeys, now)
            : enc.single(h, p, body, born, storeHost, config.brokerClusterName(), uniqKeys, now);
        request.retain();
        batcher.submit(e.bytes(), e.count(), new Reply(ctx, request, heldSinceMs, h.topic(), queueId, e.uniqKey(),
            e.bytes().length));
    }

    /** Where a single message is stored: the producer's placement, moved by each route in turn. */
    private Placement route(SendMessageRequestHeader h, int queueId) throws SendRejectedException {
        Placement p = new Placement(h.topic(), queueId, h.properties() == null ? "" : h.properties(), h.sysFlag());
        for (SendRoute r : routes) {
            p = r.route(h, p);
        }
        return p;
    }

    /** The producer's address: the socket peer, or the one a forwarding follower passed along. */
    private static HostAddress bornHost(RequestContext ctx, RemotingCommand request) throws SendRejectedException {
        String forwarded = request.extFieldsOrEmpty().get(LeaderForwarder.BORN_HOST_FIELD);
        try {
            if (forwarded != null) {
                int colon = forwarded.lastIndexOf(':');
                return HostAddress.of(new InetSocketAddress(forwarded.substring(0, colon),
                    Integer.parseInt(forwarded.substring(colon + 1))));
            }
            return HostAddress.of((InetSocketAddress) ctx.remoteAddress());
        } catch (IllegalArgumentException | IndexOutOfBoundsException | ClassCastException e) {
            throw new SendRejectedException(ResponseCode.MESSAGE_ILLEGAL, "cannot determine the born host: " + e);
        }
    }

    /** Answers one send from the batcher's callback; owns one reference to the request until then. */
    private final class Reply implements AppendCallback {
        private final RequestContext ctx;
        private final RemotingCommand request;
        private final long heldSinceMs;
        private final String topic;
        private final int queueId;
        private final String uniqKey;
        private final int bytes;

        Reply(RequestContext ctx, RemotingCommand request, long heldSinceMs, String topic, int queueId,
              String uniqKey, int bytes) {
            this.ctx = ctx;
            this.request = request;
            this.heldSinceMs = heldSinceMs;
            this.topic = topic;
            this.queueId = queueId;
            this.uniqKey = uniqKey;
            this.bytes = bytes;
        }

        @Override
        public void onCommitted(long[] physicalOffsets, long[] queueOffsets, int from, int count) {
            request.release();
            stats.recordPut(topic, count, bytes);
            String msgId;
            if (count == 1) {
                msgId = MessageIds.offsetMsgId(storeHost, physicalOffsets[from]);
            } else {
                StringBuilder b = new StringBuilder(count * (MessageIds.IPV6_ID_LENGTH + 1));
                for (int i = 0; i < count; i++) {
                    b.append(i == 0 ? "" : ",").append(MessageIds.offsetMsgId(storeHost, physicalOffsets[from + i]));
                }
                msgId = b.toString();
            }
            SendMessageResponseHeader rh = new SendMessageResponseHeader(msgId, queueId, queueOffsets[from], uniqKey,
                null, null);
            ctx.respond(rh.toResponse(ResponseCode.SUCCESS, null, REGION, true));
        }

        @Override
        public void onFailed(int responseCode, String remark) {
            request.release();
            if (responseCode != ResponseCode.SERVICE_NOT_AVAILABLE) {
                LOG.debug("send failed with {}: {}", responseCode, remark);
            }
            ctx.respond(Replies.error(responseCode, remark));
        }

        /** Leadership moves and the send never entered the log: hold it, then forward it (or store it here). */
        @Override
        public void onLeaderMoving(int responseCode, String remark) {
            RemotingCommand refused = holdOrRefuse(ctx, request, heldSinceMs, responseCode, remark);
            request.release();
            if (refused != null) {
                ctx.respond(refused);
            }
        }
    }

    /** A send waiting in the {@link SendHold}; owns one reference to the request until it resumed or expired. */
    private final class HeldSend implements SendHold.Waiter {
        private final RequestContext ctx;
        private final RemotingCommand request;
        private final long sinceMs;

        HeldSend(RequestContext ctx, RemotingCommand request, long sinceMs) {
            this.ctx = ctx;
            this.request = request;
            this.sinceMs = sinceMs;
        }

        @Override
        public void resume() {
            RemotingCommand answer;
            try {
                answer = dispatch(ctx, request, sinceMs);
            } catch (RemotingCommandException e) {
                answer = Replies.error(e.responseCode(), e.getMessage());
            } catch (RuntimeException e) { // timer-thread boundary: answer, count in the log, never lose the send
                LOG.error("a held send failed when resumed", e);
                answer = Replies.error(ResponseCode.SYSTEM_ERROR, "the held send failed: " + e);
            } finally {
                request.release();
            }
            if (answer != null) {
                ctx.respond(answer);
            }
        }

        @Override
        public void expire() {
            request.release();
            ctx.respond(Replies.error(ResponseCode.SERVICE_NOT_AVAILABLE, "[NOT_LEADER]no leader of broker group "
                + config.brokerName() + " became known within " + holdMsMax + " ms"));
        }
    }
}
