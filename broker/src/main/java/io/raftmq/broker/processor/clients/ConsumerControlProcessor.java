package io.raftmq.broker.processor.clients;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.broker.store.StoreReadException;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.ResetOffsetBody;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.header.CloneGroupOffsetRequestHeader;
import io.raftmq.client.protocol.header.ResetOffsetRequestHeader;
import io.raftmq.client.remoting.NettyRemotingEndpoint;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;
import io.raftmq.commitlog.message.MessageFormatException;
import io.raftmq.commitlog.message.MessageIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Operators acting on a consumer group through the broker (docs/consumer-protocol.md "Offset reset and consumer
 * introspection"):
 * <ul>
 *   <li>INVOKE_BROKER_TO_RESET_OFFSET (222, {@code mqadmin resetOffsetByTime}): on the leader, the offset of each
 *       queue of the topic at the given time (the first message stored at or after it; -1: the queue's end), kept
 *       where the group already is when that is further back unless {@code isForce}; committed through the Raft
 *       log (so every member and a restarted consumer see it), then sent to every live consumer of the group with
 *       RESET_CONSUMER_CLIENT_OFFSET (220, oneway; a client holds its offsets in memory and would otherwise commit
 *       its old ones over the reset). Answer: the table, once the commits are applied. A group never committed is
 *       reset like any other; a time more than {@link #FUTURE_SLACK_MS} in the future is refused (29), nothing
 *       changed;</li>
 *   <li>GET_CONSUMER_RUNNING_INFO (307, {@code mqadmin consumerStatus}) and CONSUME_MESSAGE_DIRECTLY (309,
 *       {@code mqadmin consumeMessage}, the stored message looked up by its offset message id): relayed to the named
 *       client's channel on this member and its answer relayed back; 1 SYSTEM_ERROR when the client is not connected
 *       here or does not answer;</li>
 *   <li>CLONE_GROUP_OFFSET (314, {@code mqadmin cloneGroupOffset}): on the leader, the source group's offsets
 *       committed for the destination group (docs/consumer-protocol.md "Subscription-group admin").</li>
 * </ul>
 */
public final class ConsumerControlProcessor implements RequestProcessor {
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.INVOKE_BROKER_TO_RESET_OFFSET,
        RequestCode.GET_CONSUMER_RUNNING_INFO, RequestCode.CONSUME_MESSAGE_DIRECTLY, RequestCode.CLONE_GROUP_OFFSET};
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerControlProcessor.class);
    private static final long CLIENT_TIMEOUT_MS = 5000;
    /** Clock skew allowed between the operator's machine and the broker before a reset time counts as future. */
    static final long FUTURE_SLACK_MS = 60_000;

    private final ClientManager clients;
    private final TopicConfigManager topics;
    private final ConsumerOffsetManager offsets;
    private final BrokerStore store;
    private final NettyRemotingEndpoint endpoint;
    private final BooleanSupplier isLeader;
    private final String brokerName;
    private final long proposeTimeoutMs;
    private final LongSupplier wallMs;

    public ConsumerControlProcessor(ClientManager clients, TopicConfigManager topics, ConsumerOffsetManager offsets,
                                    BrokerStore store, NettyRemotingEndpoint endpoint, BooleanSupplier isLeader,
                                    String brokerName, long proposeTimeoutMs, LongSupplier wallMs) {
        this.clients = clients;
        this.topics = topics;
        this.offsets = offsets;
        this.store = store;
        this.endpoint = endpoint;
        this.isLeader = isLeader;
        this.brokerName = brokerName;
        this.proposeTimeoutMs = proposeTimeoutMs;
        this.wallMs = wallMs;
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        if (request.code() == RequestCode.INVOKE_BROKER_TO_RESET_OFFSET) {
            return resetOffset(ctx, ResetOffsetRequestHeader.decode(request.extFields()));
        }
        if (request.code() == RequestCode.CLONE_GROUP_OFFSET) {
            return cloneOffsets(ctx, CloneGroupOffsetRequestHeader.decode(request.extFields()));
        }
        return relayToClient(ctx, request);
    }

    private RemotingCommand resetOffset(RequestContext ctx, ResetOffsetRequestHeader h) {
        if (!isLeader.getAsBoolean()) {
            return Replies.error(ResponseCode.SERVICE_NOT_AVAILABLE, "[NOT_LEADER] offsets are reset on the leader");
        }
        if (!byOffset(h) && h.timestamp() > wallMs.getAsLong() + FUTURE_SLACK_MS) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, "[reset-offset] the time " + h.timestamp()
                + " is in the future (now " + wallMs.getAsLong() + "): nothing was reset");
        }
        TopicConfig tc = topics.get(h.topic());
        if (tc == null) {
            return Replies.error(ResponseCode.TOPIC_NOT_EXIST, "[reset-offset] topic " + h.topic()
                + " does not exist on this broker");
        }
        SortedMap<MessageQueue, Long> table = new TreeMap<>();
        try {
            int queues = Math.max(tc.readQueueNums(), tc.writeQueueNums());
            for (int q = 0; q < queues; q++) {
                if (h.queueId() < 0 || h.queueId() == q) {
                    table.put(new MessageQueue(h.topic(), brokerName, q), target(h, q));
                }
            }
        } catch (StoreReadException e) {
            return Replies.error(ResponseCode.SYSTEM_ERROR, "[reset-offset] " + e.getMessage());
        }
        List<CompletableFuture<Void>> commits = new ArrayList<>();
        for (Map.Entry<MessageQueue, Long> e : table.entrySet()) {
            commits.add(offsets.commit(h.group(), h.topic(), e.getKey().queueId(), e.getValue()));
        }
        ResetOffsetBody body = new ResetOffsetBody(table);
        CompletableFuture<Void> all = CompletableFuture.allOf(commits.toArray(new CompletableFuture<?>[0]));
        return Replies.later(ctx, all, proposeTimeoutMs + 1000, v -> {
            tellConsumers(h, body);
            return Replies.ok().setBody(body.encode());
        });
    }

    /**
     * CLONE_GROUP_OFFSET: the source group's applied offsets of the topic (or of every topic it has offsets of)
     * committed for the destination group through the Raft log; answered once applied. Refused, nothing changed:
     * not the leader (14), the same group twice (29), an unknown topic (17), no offsets to copy (22).
     */
    private RemotingCommand cloneOffsets(RequestContext ctx, CloneGroupOffsetRequestHeader h) {
        if (!isLeader.getAsBoolean()) {
            return Replies.error(ResponseCode.SERVICE_NOT_AVAILABLE, "[NOT_LEADER] offsets are cloned on the leader");
        }
        if (h.srcGroup().equals(h.destGroup())) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, "[clone-offset] source and destination are the same"
                + " group " + h.srcGroup());
        }
        boolean oneTopic = h.topic() != null && !h.topic().isBlank();
        if (oneTopic && topics.get(h.topic()) == null) {
            return Replies.error(ResponseCode.TOPIC_NOT_EXIST, "[clone-offset] topic " + h.topic()
                + " does not exist on this broker");
        }
        List<CompletableFuture<Void>> commits = new ArrayList<>();
        for (String topic : oneTopic ? Set.of(h.topic()) : offsets.topicsOf(h.srcGroup())) {
            if (!h.offline() && !clients.consumerIds(h.srcGroup()).isEmpty()
                    && clients.subscription(h.srcGroup(), topic) == null) {
                continue; // as RocketMQ: an online source group's offsets of topics it no longer consumes stay
            }
            offsets.queueOffsets(h.srcGroup(), topic).forEach((q, offset) ->
                commits.add(offsets.commit(h.destGroup(), topic, q, offset)));
        }
        if (commits.isEmpty()) {
            return Replies.error(ResponseCode.QUERY_NOT_FOUND, "[clone-offset] group " + h.srcGroup()
                + " has no offsets" + (oneTopic ? " of topic " + h.topic() : "") + " to clone on this broker: nothing"
                + " was cloned");
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(commits.toArray(new CompletableFuture<?>[0]));
        LOG.info("cloning {} offsets of group {} to group {} (topic {})", commits.size(), h.srcGroup(), h.destGroup(),
            oneTopic ? h.topic() : "*");
        return Replies.later(ctx, all, proposeTimeoutMs + 1000, v -> Replies.ok());
    }

    /** The offset queue {@code q} is reset to: by offset, by time, or the group's own when that is further back. */
    private long target(ResetOffsetRequestHeader h, int q) throws StoreReadException {
        long min = store.minOffset(h.topic(), q);
        long max = store.maxOffset(h.topic(), q);
        long at;
        if (byOffset(h) && h.queueId() == q) {
            at = Math.max(min, Math.min(max, h.offset()));
        } else if (h.timestamp() < 0) {
            at = max;
        } else {
            at = store.searchOffset(h.topic(), q, h.timestamp(), false);
        }
        long current = offsets.query(h.group(), h.topic(), q);
        return h.isForce() || current < 0 || at < current ? at : current;
    }

    /** Whether the reset names one queue's offset (the 5.3.3 client sends offset -1 and queueId -1 by time). */
    private static boolean byOffset(ResetOffsetRequestHeader h) {
        return h.offset() != null && h.offset() >= 0 && h.queueId() >= 0;
    }

    private void tellConsumers(ResetOffsetRequestHeader h, ResetOffsetBody body) {
        byte[] bytes = body.encode();
        for (Channel ch : clients.consumerChannels(h.group())) {
            RemotingCommand push = RemotingCommand.createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET,
                new ResetOffsetRequestHeader(h.topic(), h.group(), -1, null, h.timestamp(), h.isForce()))
                .setBody(bytes);
            endpoint.invokeOneway(ch, push, CLIENT_TIMEOUT_MS).whenComplete((v, e) -> {
                if (e != null) {
                    LOG.info("RESET_CONSUMER_CLIENT_OFFSET of group {} to {} failed: {}", h.group(), ch, e.toString());
                }
            });
        }
    }

    /** 307/309: the same request to the named client, its answer back to the caller. */
    private RemotingCommand relayToClient(RequestContext ctx, RemotingCommand request)
            throws RemotingCommandException {
        ExtFields f = request.extFields();
        String clientId = f == null ? null : f.get("clientId");
        String group = f == null ? null : f.get("consumerGroup");
        Channel ch = clientId == null ? null : clients.channelOf(clientId);
        if (ch == null) {
            return Replies.error(ResponseCode.SYSTEM_ERROR, "The Consumer <" + group + "> <" + clientId
                + "> is not online at this broker member");
        }
        boolean direct = request.code() == RequestCode.CONSUME_MESSAGE_DIRECTLY;
        byte[] body = direct ? storedMessage(f) : request.bodyBytes();
        if (direct && body == null) {
            return Replies.error(ResponseCode.SYSTEM_ERROR, "no committed message with id " + f.get("msgId"));
        }
        RemotingCommand relay = RemotingCommand.createRequest(request.code(), out -> {
            f.toMap().forEach((k, v) -> {
                if (v != null) {
                    out.put(k, v);
                }
            });
            out.put("brokerName", brokerName);
        });
        if (body != null) {
            relay.setBody(body);
        }
        endpoint.invokeAsync(ch, relay, CLIENT_TIMEOUT_MS).whenComplete((r, e) -> ctx.respond(e == null ? r
            : Replies.error(ResponseCode.SYSTEM_ERROR, "invoke consumer <" + group + "> <" + clientId
                + "> failed: " + Replies.unwrap(e))));
        return null;
    }

    /** The stored message an offset message id ({@link MessageIds}: store host and physical offset) points at. */
    private byte[] storedMessage(ExtFields f) {
        String msgId = f.get("msgId");
        long phys;
        try {
            phys = msgId == null ? -1 : MessageIds.decodeOffsetMsgId(msgId).physicalOffset();
        } catch (MessageFormatException e) {
            return null;
        }
        if (phys < 0) {
            return null;
        }
        ByteBuf buf = store.viewMessage(phys);
        if (buf == null) {
            return null;
        }
        try {
            byte[] out = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), out);
            return out;
        } finally {
            buf.release();
        }
    }
}
