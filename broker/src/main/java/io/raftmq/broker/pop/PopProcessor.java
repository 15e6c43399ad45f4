package io.raftmq.broker.pop;

import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.processor.clients.Replies;
import io.raftmq.broker.processor.pull.RegionStamp;
import io.raftmq.broker.retry.RetryPolicy;
import io.raftmq.broker.store.MessageFilter;
import io.raftmq.broker.store.StoreReadException;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Pop consumption, docs/consumer-protocol.md "Pop consumption": POP_MESSAGE (200050), ACK_MESSAGE (200051),
 * CHANGE_MESSAGE_INVISIBLETIME (200053), BATCH_ACK_MESSAGE (200151), QUERY_ASSIGNMENT (400) and
 * SET_MESSAGE_REQUEST_MODE (401). Every change goes through a {@code POP} entry and is answered once applied here
 * ({@link PopState}); acks and invisible-time changes share entries ({@link PopCoalescer}); a POP that finds
 * nothing is tried again every {@link #POLL_INTERVAL_MS} until the request's pollTime (at most
 * {@link #HOLD_MAX_MS}) has passed, then answered 19 PULL_NOT_FOUND.
 *
 * <p>Refusals change nothing: a group that does not exist 26, a topic 17, a malformed handle, an unknown mode,
 * an orderly pop, an out-of-range invisible time or queue 29, an ack or change of an offset not in flight under
 * that handle (acked, handed out again since, never popped) 208 NO_MESSAGE; a follower 14.
 *
 * <p>Threads: the control-plane pool; answers from the raft agent thread or the scheduler.
 */
public final class PopProcessor implements RequestProcessor {
    /** Popped messages name the region too, for the official client's consume trace ({@link RegionStamp}). */
    private static final RegionStamp REGION = new RegionStamp(RegionStamp.DEFAULT_REGION);
    /** The codes this processor serves. */
    public static final int[] CODES = {PopProtocol.POP_MESSAGE, PopProtocol.ACK_MESSAGE,
        PopProtocol.CHANGE_MESSAGE_INVISIBLETIME, PopProtocol.BATCH_ACK_MESSAGE, PopProtocol.QUERY_ASSIGNMENT,
        PopProtocol.SET_MESSAGE_REQUEST_MODE};
    /** Shortest and longest invisible time accepted. */
    public static final long INVISIBLE_MIN_MS = 1000;
    public static final long INVISIBLE_MAX_MS = 12 * 3600 * 1000L;
    /** Most messages one POP hands out. */
    public static final int POP_MAX = 64;
    static final long POLL_INTERVAL_MS = 100;
    static final long HOLD_MAX_MS = 5000;

    private final PopState state;
    private final Popper popper;
    private final MetadataProposer proposer;
    /** Acks and invisible-time changes share entries (docs/consumer-protocol.md "Coalesced acks"). */
    private final PopCoalescer coalescer;
    private final TopicConfigManager topics;
    private final SubscriptionGroupManager groups;
    private final ClientManager clients;
    private final String brokerName;
    private final LongSupplier clockMs;
    private final ScheduledExecutorService scheduler;
    private final long timeoutMs;

    /** One POP request, decoded. */
    private record PopRequest(PopState.QueueKey key, int max, long invisibleMs, MessageFilter filter,
                              int maxReconsume, boolean fromLatest, long deadlineMs) {
    }

    PopProcessor(PopState state, Popper popper, MetadataProposer proposer, TopicConfigManager topics,
                 SubscriptionGroupManager groups, ClientManager clients, String brokerName, LongSupplier clockMs,
                 ScheduledExecutorService scheduler, long timeoutMs) {
        this.state = state;
        this.popper = popper;
        this.proposer = proposer;
        this.coalescer = new PopCoalescer(proposer, PopCoalescer.BATCH_MAX, PopCoalescer.BYTES_MAX);
        this.topics = topics;
        this.groups = groups;
        this.clients = clients;
        this.brokerName = brokerName;
        this.clockMs = clockMs;
        this.scheduler = scheduler;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        return switch (request.code()) {
            case PopProtocol.POP_MESSAGE -> pop(ctx, request.extFieldsOrEmpty());
            case PopProtocol.ACK_MESSAGE -> ack(ctx, request.extFieldsOrEmpty());
            case PopProtocol.CHANGE_MESSAGE_INVISIBLETIME -> change(ctx, request.extFieldsOrEmpty());
            case PopProtocol.BATCH_ACK_MESSAGE -> batchAck(ctx, PopProtocol.decodeBatchAck(request.bodyBytes()));
            case PopProtocol.QUERY_ASSIGNMENT -> PopAssignments.answer(
                PopProtocol.decodeAssignment(request.bodyBytes()), topics, state, clients, brokerName);
            default -> setMode(ctx, PopProtocol.decodeMode(request.bodyBytes()));
        };
    }

    // ------------------------------------------------------------------------------------------------ pop

    private RemotingCommand pop(RequestContext ctx, ExtFields f) throws RemotingCommandException {
        String group = f.requireString("consumerGroup");
        String topic = f.requireString("topic");
        int queueId = f.requireInt("queueId");
        int max = f.optInt("maxMsgNums", 32);
        long invisible = f.requireLong("invisibleTime");
        RemotingCommand refused = refuse(group, topic, queueId);
        if (refused == null && (max < 1 || max > POP_MAX)) {
            refused = Replies.error(ResponseCode.INVALID_PARAMETER, "maxMsgNums must be 1.." + POP_MAX);
        } else if (refused == null && (invisible < INVISIBLE_MIN_MS || invisible > INVISIBLE_MAX_MS)) {
            refused = invisibleRefusal(invisible);
        } else if (refused == null && Boolean.TRUE.equals(f.optBooleanObject("order"))) {
            refused = Replies.error(ResponseCode.INVALID_PARAMETER, "orderly pop is not supported");
        } else if (refused == null && f.get("expType") != null && !"TAG".equals(f.get("expType"))) {
            refused = Replies.error(ResponseCode.INVALID_PARAMETER, "pop filters by TAG only, not "
                + f.get("expType"));
        }
        if (refused != null) {
            return refused;
        }
        SubscriptionGroupConfig cfg = groups.get(group);
        long deadline = clockMs.getAsLong() + Math.min(Math.max(0, f.optLong("pollTime", 0)), HOLD_MAX_MS);
        PopRequest r = new PopRequest(new PopState.QueueKey(group, topic, queueId), max, invisible,
            MessageFilter.ofExpression(f.get("exp")), RetryPolicy.maxReconsumeTimes(null, cfg),
            f.optInt("initMode", 0) != 0, deadline);
        attempt(ctx, r);
        return null;
    }

    /** 26, 17, 29 (queue) or 14 (not the leader); null when the request may go on. */
    private RemotingCommand refuse(String group, String topic, int queueId) {
        if (groups.get(group) == null) {
            return Replies.error(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, "subscription group [" + group
                + "] does not exist");
        }
        TopicConfig tc = topics.get(topic);
        if (tc == null) {
            return Replies.error(ResponseCode.TOPIC_NOT_EXIST, "topic[" + topic + "] not exist");
        }
        if (queueId < 0 || queueId >= tc.readQueueNums()) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, "queueId " + queueId + " out of range 0.."
                + (tc.readQueueNums() - 1) + " of topic " + topic);
        }
        if (!proposer.isLeader()) {
            return Replies.error(ResponseCode.SERVICE_NOT_AVAILABLE, "[NOT_LEADER]pop is served by the leader");
        }
        return null;
    }

    private static RemotingCommand invisibleRefusal(long invisible) {
        return Replies.error(ResponseCode.INVALID_PARAMETER, "invisibleTime " + invisible + " out of range "
            + INVISIBLE_MIN_MS + ".." + INVISIBLE_MAX_MS + " ms");
    }

    private void attempt(RequestContext ctx, PopRequest r) {
        long now = clockMs.getAsLong();
        CompletableFuture<Popper.Popped> f;
        try {
            f = popper.pop(r.key(), r.max(), now, r.invisibleMs(), r.filter(), r.maxReconsume(), r.fromLatest());
        } catch (StoreReadException | RuntimeException e) {
            ctx.respond(Replies.error(ResponseCode.SYSTEM_ERROR, "pop failed: " + e.getMessage()));
            return;
        }
        f.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((p, t) -> {
            if (t != null) {
                ctx.respond(Replies.failure(t));
            } else if (p.body() == null && clockMs.getAsLong() + POLL_INTERVAL_MS < r.deadlineMs()) {
                scheduler.schedule(() -> attempt(ctx, r), POLL_INTERVAL_MS, TimeUnit.MILLISECONDS);
            } else {
                ctx.respond(popped(r, p, now)); // releases the body if the channel is gone
            }
        });
    }

    private static RemotingCommand popped(PopRequest r, Popper.Popped p, long popTime) {
        ExtFields h = new ExtFields().put("popTime", popTime).put("invisibleTime", r.invisibleMs())
            .put("reviveQid", 0).put("restNum", p.restNum());
        if (p.body() == null) {
            return Replies.error(ResponseCode.PULL_NOT_FOUND, "no new message").extFields(h);
        }
        String topic = r.key().topic();
        int q = r.key().queueId();
        h.put("startOffsetInfo", PopProtocol.startOffsetInfo(topic, q, p.offsets().get(0)))
            .put("msgOffsetInfo", PopProtocol.msgOffsetInfo(topic, q, p.offsets()));
        return Replies.ok().extFields(h).setBody(REGION.apply(p.body())); // docs/consumer-protocol.md "Message trace"
    }

    // ------------------------------------------------------------------------------------------------ ack

    private RemotingCommand ack(RequestContext ctx, ExtFields f) throws RemotingCommandException {
        PopState.QueueKey k = new PopState.QueueKey(f.requireString("consumerGroup"), f.requireString("topic"),
            f.requireInt("queueId"));
        PopProtocol.Handle h = handle(f.get("extraInfo"));
        long offset = f.optLong("offset", h.offset());
        RemotingCommand refused = refuseHandle(k, h, offset);
        if (refused != null) {
            return answer(ctx, refused);
        }
        PopEntry.Ack e = new PopEntry.Ack(k.group(), k.topic(), k.queueId(), h.popTimeMs(), List.of(offset));
        CompletableFuture<Void> applied = coalescer.submit(e);
        if (ctx.isOneway()) {
            return null;
        }
        return Replies.later(ctx, applied, timeoutMs, v -> Replies.ok());
    }

    private RemotingCommand change(RequestContext ctx, ExtFields f) throws RemotingCommandException {
        PopState.QueueKey k = new PopState.QueueKey(f.requireString("consumerGroup"), f.requireString("topic"),
            f.requireInt("queueId"));
        PopProtocol.Handle h = handle(f.get("extraInfo"));
        long offset = f.optLong("offset", h.offset());
        long invisible = f.requireLong("invisibleTime");
        RemotingCommand refused = invisible < INVISIBLE_MIN_MS || invisible > INVISIBLE_MAX_MS
            ? invisibleRefusal(invisible) : refuseHandle(k, h, offset);
        if (refused != null) {
            return refused;
        }
        long now = clockMs.getAsLong();
        PopEntry.Change e = new PopEntry.Change(k.group(), k.topic(), k.queueId(), offset, h.popTimeMs(), now,
            invisible);
        return Replies.later(ctx, coalescer.submit(e), timeoutMs, v -> {
            PopState.Flight fl = state.flight(k, offset);
            if (fl == null || fl.popTimeMs() != now) {
                return notInFlight(k, offset);
            }
            return Replies.ok().extFields(new ExtFields().put("popTime", now).put("invisibleTime", invisible)
                .put("reviveQid", 0));
        });
    }

    private static PopProtocol.Handle handle(String extraInfo) throws RemotingCommandException {
        try {
            return PopProtocol.Handle.parse(extraInfo);
        } catch (RemotingCommandException e) {
            throw new RemotingCommandException(ResponseCode.INVALID_PARAMETER, e.getMessage());
        }
    }

    /** The refusal of an ack or change: 26, 17, 14, or 208 when the offset is not in flight under the handle. */
    private RemotingCommand refuseHandle(PopState.QueueKey k, PopProtocol.Handle h, long offset) {
        if (groups.get(k.group()) == null) {
            return Replies.error(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, "subscription group [" + k.group()
                + "] does not exist");
        }
        if (topics.get(k.topic()) == null) {
            return Replies.error(ResponseCode.TOPIC_NOT_EXIST, "topic[" + k.topic() + "] not exist");
        }
        if (!proposer.isLeader()) {
            return Replies.error(ResponseCode.SERVICE_NOT_AVAILABLE, "[NOT_LEADER]pop is served by the leader");
        }
        PopState.Flight fl = state.flight(k, offset);
        return fl == null || fl.popTimeMs() != h.popTimeMs() ? notInFlight(k, offset) : null;
    }

    private static RemotingCommand notInFlight(PopState.QueueKey k, long offset) {
        return Replies.error(ResponseCode.NO_MESSAGE, "offset " + offset + " of " + k.topic() + ":" + k.queueId()
            + " is not in flight for " + k.group() + " under this handle (acked, handed out again or never popped)");
    }

    private RemotingCommand batchAck(RequestContext ctx, List<PopProtocol.BatchAck> acks) {
        List<CompletableFuture<Void>> applied = new ArrayList<>();
        for (PopProtocol.BatchAck a : acks) {
            String topic = "1".equals(a.retry()) ? PopProtocol.RETRY_PREFIX + a.group() : a.topic();
            if (a.group() == null || topic == null) {
                continue;
            }
            PopState.QueueKey k = new PopState.QueueKey(a.group(), topic, a.queueId());
            List<Long> live = new ArrayList<>();
            for (long o : a.offsets()) {
                PopState.Flight fl = state.flight(k, o);
                if (fl != null && fl.popTimeMs() == a.popTimeMs()) {
                    live.add(o);
                }
            }
            if (!live.isEmpty() && live.size() <= PopCodec.OFFSETS_MAX) {
                applied.add(coalescer.submit(new PopEntry.Ack(a.group(), topic, a.queueId(), a.popTimeMs(),
                    live)));
            }
        }
        if (applied.isEmpty()) {
            return answer(ctx, Replies.error(ResponseCode.NO_MESSAGE, "no offset of the batch is in flight under its "
                + "handle (acked, handed out again or never popped)"));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(applied.toArray(new CompletableFuture[0]));
        return ctx.isOneway() ? null : Replies.later(ctx, all, timeoutMs, v -> Replies.ok());
    }

    // ------------------------------------------------------------------------------------------------ mode

    private RemotingCommand setMode(RequestContext ctx, PopProtocol.ModeRequest m) {
        if (m.topic() == null || m.group() == null) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, "topic and consumerGroup are required");
        }
        if (!"POP".equals(m.mode()) && !"PULL".equals(m.mode())) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, "unknown request mode " + m.mode()
                + " (POP or PULL)");
        }
        if (m.topic().startsWith(PopProtocol.RETRY_PREFIX) || m.popShareQueueNum() < 0) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, "a retry topic has no request mode of its own, and "
                + "popShareQueueNum is not negative");
        }
        if (topics.get(m.topic()) == null) {
            return Replies.error(ResponseCode.TOPIC_NOT_EXIST, "topic[" + m.topic() + "] not exist");
        }
        PopEntry.Mode e = new PopEntry.Mode(m.topic(), m.group(), "POP".equals(m.mode()), m.popShareQueueNum());
        return Replies.later(ctx, proposer.propose(EntryType.POP, PopCodec.encode(e)), timeoutMs,
            v -> Replies.ok());
    }

    private static RemotingCommand answer(RequestContext ctx, RemotingCommand r) {
        return ctx.isOneway() ? null : r;
    }
}
