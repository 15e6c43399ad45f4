package io.raftmq.broker.clients;

import io.netty.channel.Channel;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.header.ConsumerGroupHeader;
import io.raftmq.client.remoting.NettyRemotingEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Port: tells one consumer channel that its group's membership changed (docs/protocol.md §2.6:
 * NOTIFY_CONSUMER_IDS_CHANGED, code 40, oneway, extFields {@code consumerGroup}). Must not block: it may be called on a
 * Netty event loop (channel close). Failures are logged, never thrown: the client rebalances every 20 s anyway.
 */
@FunctionalInterface
public interface ConsumerIdsChangedNotifier {
    void notify(Channel channel, String group);

    /** The production notifier: a oneway request through {@code endpoint} (the broker's RemotingServer). */
    static ConsumerIdsChangedNotifier remoting(NettyRemotingEndpoint endpoint, long timeoutMs) {
        Logger log = LoggerFactory.getLogger(ConsumerIdsChangedNotifier.class);
        return (channel, group) -> {
            RemotingCommand req = RemotingCommand.createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED,
                    new ConsumerGroupHeader(group));
            endpoint.invokeOneway(channel, req, timeoutMs).whenComplete((v, e) -> {
                if (e != null) {
                    log.info("NOTIFY_CONSUMER_IDS_CHANGED for {} to {} failed: {}", group, channel, e.toString());
                }
            });
        };
    }
}
