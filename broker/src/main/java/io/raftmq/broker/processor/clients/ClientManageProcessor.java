package io.raftmq.broker.processor.clients;

import io.raftmq.broker.clients.ClientChannelInfo;
import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.body.ConsumerData;
import io.raftmq.client.protocol.body.HeartbeatData;
import io.raftmq.client.protocol.body.ProducerData;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.header.UnregisterClientRequestHeader;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * HEART_BEAT (34) and UNREGISTER_CLIENT (35), docs/protocol.md §2.2.
 *
 * <p>Heartbeat: every producer and consumer group of the body is registered in the {@link ClientManager} at once
 * (membership changes notify the group). On the leader, unknown subscription groups are auto-created with the
 * defaults and {@code %RETRY%group} is created (1 queue by default, perm 6) through the Raft log; the reply is sent
 * when those changes are applied (or failed: a heartbeat never fails because of them; the next one retries). On a
 * follower nothing is proposed: the client heartbeats the leader too, which creates them. Reply: code 0,
 * extFields {@code IS_SUPPORT_HEART_BEAT_V2=true, IS_SUB_CHANGE=true}, version 479 (vector 31).
 */
public final class ClientManageProcessor implements RequestProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(ClientManageProcessor.class);
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.HEART_BEAT, RequestCode.UNREGISTER_CLIENT};

    private final ClientManager clients;
    private final SubscriptionGroupManager groups;
    private final TopicConfigManager topics;
    private final MetadataProposer proposer;
    private final long proposeTimeoutMs;

    public ClientManageProcessor(ClientManager clients, SubscriptionGroupManager groups, TopicConfigManager topics,
                                 MetadataProposer proposer, long proposeTimeoutMs) {
        this.clients = clients;
        this.groups = groups;
        this.topics = topics;
        this.proposer = proposer;
        this.proposeTimeoutMs = proposeTimeoutMs;
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        return switch (request.code()) {
            case RequestCode.HEART_BEAT -> heartbeat(ctx, request);
            case RequestCode.UNREGISTER_CLIENT -> unregister(request);
            default -> throw new IllegalStateException("unexpected code " + request.code());
        };
    }

    /** The heartbeat reply of vector 31. */
    static RemotingCommand heartbeatReply() {
        RemotingCommand r = Replies.ok();
        r.extFields().put("IS_SUPPORT_HEART_BEAT_V2", "true");
        r.extFields().put("IS_SUB_CHANGE", "true");
        return r;
    }

    private RemotingCommand heartbeat(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        HeartbeatData hb = HeartbeatData.decode(request.bodyBytes());
        checkHeartbeat(hb);
        ClientChannelInfo info = new ClientChannelInfo(ctx.channel(), hb.clientID(), request.language(),
                request.version(), 0);
        for (ProducerData p : hb.producerDataSet()) {
            clients.registerProducer(p.groupName(), info);
        }
        List<CompletableFuture<?>> creations = new ArrayList<>();
        boolean leader = proposer.isLeader();
        for (ConsumerData c : hb.consumerDataSet()) {
            boolean keep = hb.withoutSub() && c.subscriptionDataSet().isEmpty();
            clients.registerConsumer(c.groupName(), info, c.consumeType(), c.messageModel(), c.consumeFromWhere(),
                    c.subscriptionDataSet(), keep);
            if (leader) {
                creations.add(ensureGroupAndRetryTopic(c.groupName()));
            }
        }
        if (creations.isEmpty()) {
            return heartbeatReply();
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(creations.toArray(new CompletableFuture<?>[0]));
        return Replies.later(ctx, all.handle((v, e) -> {
            if (e != null) {
                LOG.info("auto-creation on heartbeat from {} failed (retried on the next heartbeat): {}",
                        hb.clientID(), Replies.unwrap(e).toString());
            }
            return null;
        }), proposeTimeoutMs + 1000, v -> heartbeatReply());
    }

    /**
     * Rejects a heartbeat whose body lacks a name the registration keys on (clientID, a group name, a
     * subscription's topic) before anything is registered.
     *
     * @throws RemotingCommandException (SYSTEM_ERROR, like a missing header field) naming the field
     */
    private static void checkHeartbeat(HeartbeatData hb) throws RemotingCommandException {
        if (hb.clientID() == null || hb.clientID().isEmpty()) {
            throw new RemotingCommandException("heartbeat body without clientID");
        }
        for (ProducerData p : hb.producerDataSet()) {
            if (p == null || p.groupName() == null) {
                throw new RemotingCommandException("heartbeat producerDataSet entry without groupName");
            }
        }
        for (ConsumerData c : hb.consumerDataSet()) {
            if (c == null || c.groupName() == null) {
                throw new RemotingCommandException("heartbeat consumerDataSet entry without groupName");
            }
            for (var s : c.subscriptionDataSet()) {
                if (s == null || s.topic() == null) {
                    throw new RemotingCommandException("heartbeat subscription of group " + c.groupName()
                            + " without topic");
                }
            }
        }
    }

    private CompletableFuture<?> ensureGroupAndRetryTopic(String group) {
        CompletableFuture<SubscriptionGroupConfig> g = groups.findOrCreate(group);
        return g.thenCompose(cfg -> cfg == null ? CompletableFuture.completedFuture(null)
                : topics.createRetryTopicIfAbsent(group, cfg.retryQueueNums()));
    }

    private RemotingCommand unregister(RemotingCommand request) throws RemotingCommandException {
        UnregisterClientRequestHeader h = UnregisterClientRequestHeader.decode(request.extFields());
        if (h.producerGroup() != null) {
            clients.unregisterProducer(h.producerGroup(), h.clientID());
        }
        if (h.consumerGroup() != null) {
            clients.unregisterConsumer(h.consumerGroup(), h.clientID());
        }
        return Replies.ok();
    }
}
