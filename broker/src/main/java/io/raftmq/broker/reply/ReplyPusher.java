package io.raftmq.broker.reply;

import io.netty.channel.Channel;
import io.raftmq.broker.metadata.Names;
import io.raftmq.broker.replication.AppliedMessageListener;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.header.ReplyMessageRequestHeader;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Request/reply (docs/consumer-protocol.md "Request/reply"): every committed message of the reply topic
 * ({@code <cluster>_REPLY_TOPIC}, where responders send with SEND_REPLY_MESSAGE 324/325) is pushed with
 * PUSH_REPLY_MESSAGE_TO_CLIENT (326) to the requesting client named in its REPLY_TO_CLIENT property, by every member
 * that has a live connection of that client. The push follows the commit, so a reply a client receives is stored in
 * the group; it runs on each member as the message is applied, so it reaches the requester whichever member it is
 * connected to and whichever member the responder sent to (a follower forwards the send to the leader). A client
 * connected to several members may get the reply more than once: it completes the request on the first and drops
 * the rest (its pending request is gone). Replies whose TTL (ms, set by the requester) has passed, and replies during
 * the replay at start (no client is connected yet), are not pushed.
 *
 * <p>Threads: {@link #onApplied} on the raft agent thread: it filters on the topic's length first, looks the channel
 * up and hands the push to the channel's event loop (never blocks).
 */
public final class ReplyPusher implements AppliedMessageListener {
    /** The reply topic's name: the cluster's name plus this. */
    public static final String REPLY_TOPIC_SUFFIX = "_REPLY_TOPIC";
    static final String REPLY_TO_CLIENT = "REPLY_TO_CLIENT";
    static final String TTL = "TTL";
    private static final long PUSH_TIMEOUT_MS = 3000;
    private static final Logger LOG = LoggerFactory.getLogger(ReplyPusher.class);

    /** A request/response call on a channel (the remoting server's {@code invokeAsync}). */
    @FunctionalInterface
    public interface Pusher {
        /** Sends {@code request} on {@code channel}; the future fails when the client did not answer in time. */
        CompletableFuture<RemotingCommand> push(Channel channel, RemotingCommand request, long timeoutMs);
    }

    /** Where pushes go, once bound: a live channel by client id, and the call on it. */
    private record Target(Function<String, Channel> channelOf, Pusher pusher) {
    }

    private final String replyTopic;
    private final LongSupplier wallMs;
    private volatile Target target;

    /**
     * @param clusterName the broker cluster's name (the reply topic is {@code clusterName + "_REPLY_TOPIC"})
     * @param wallMs      wall clock (ms) for the TTL
     */
    public ReplyPusher(String clusterName, LongSupplier wallMs) {
        this.replyTopic = clusterName + REPLY_TOPIC_SUFFIX;
        this.wallMs = wallMs;
    }

    /** The reply topic of this cluster. */
    public String replyTopic() {
        return replyTopic;
    }

    /**
     * Starts pushing (once the broker serves clients); before that, applied replies are not pushed.
     *
     * @param channelOf a live channel of the client with this id, or null
     * @param pusher    the call that delivers a push
     */
    public void bind(Function<String, Channel> channelOf, Pusher pusher) {
        this.target = new Target(channelOf, pusher);
    }

    @Override
    public void onApplied(long index, long physicalOffset, StoredMessage m) {
        Target t = target;
        if (t == null || m.topicLength() != replyTopic.length() || !replyTopic.equals(m.topic())) {
            return;
        }
        String properties = m.properties();
        String clientId = MessageProperties.get(properties, REPLY_TO_CLIENT);
        if (clientId == null || expired(properties, m.bornTimestamp())) {
            return;
        }
        Channel ch = t.channelOf().apply(clientId);
        if (ch == null) {
            LOG.debug("reply at {} for {}: the client is not connected to this member", physicalOffset, clientId);
            return;
        }
        RemotingCommand push = RemotingCommand.createRequest(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT,
            header(m, properties)).setBody(m.body());
        t.pusher().push(ch, push, PUSH_TIMEOUT_MS).whenComplete((r, e) -> {
            if (e != null) {
                LOG.info("push of the reply at {} to {} failed: {}", physicalOffset, clientId, e.toString());
            } else {
                r.release();
            }
        });
    }

    private boolean expired(String properties, long bornMs) {
        String ttl = MessageProperties.get(properties, TTL);
        if (ttl == null) {
            return false;
        }
        try {
            return bornMs + Long.parseLong(ttl) < wallMs.getAsLong();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static ReplyMessageRequestHeader header(StoredMessage m, String properties) {
        String group = MessageProperties.get(properties, "PGROUP");
        return new ReplyMessageRequestHeader(group == null ? "" : group, m.topic(), Names.DEFAULT_TOPIC, 4, m.queueId(),
            m.sysFlag(), m.bornTimestamp(), m.flag(), properties, m.reconsumeTimes(), false,
            m.bornHost().toString(), m.storeHost().toString(), m.storeTimestamp());
    }
}
