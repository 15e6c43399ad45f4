package io.raftmq.broker.transaction;

import io.netty.channel.Channel;
import io.raftmq.broker.clients.ClientManager;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.header.CheckTransactionStateRequestHeader;
import io.raftmq.client.remoting.NettyRemotingEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends CHECK_TRANSACTION_STATE (39, oneway; docs/protocol.md §2.9) to one live producer of a group. The producer
 * answers, if at all, with END_TRANSACTION to the broker that asked.
 *
 * <p>Threads: any; never blocks (the frame is written asynchronously).
 */
public interface CheckBackSender {
    /**
     * @param producerGroup the half message's PGROUP
     * @param header        the request header
     * @param body          the half message in stored form with its real topic and queue (handed over)
     * @return whether a live producer channel of the group was found and the request handed to it
     */
    boolean send(String producerGroup, CheckTransactionStateRequestHeader header, byte[] body);

    /** Whether a live producer channel of {@code producerGroup} is known now (a check could be sent). */
    boolean hasLiveProducer(String producerGroup);

    /** The production sender: a channel from {@code clients}, written through {@code endpoint}. */
    static CheckBackSender remoting(ClientManager clients, NettyRemotingEndpoint endpoint, long timeoutMs) {
        Logger log = LoggerFactory.getLogger(CheckBackSender.class);
        return new CheckBackSender() {
            @Override
            public boolean hasLiveProducer(String group) {
                return group != null && clients.liveProducerChannel(group) != null;
            }

            @Override
            public boolean send(String group, CheckTransactionStateRequestHeader header, byte[] body) {
                Channel ch = group == null ? null : clients.liveProducerChannel(group);
                if (ch == null) {
                    return false;
                }
                RemotingCommand req = RemotingCommand.createRequest(RequestCode.CHECK_TRANSACTION_STATE, header)
                    .setBody(body);
                endpoint.invokeOneway(ch, req, timeoutMs).whenComplete((v, e) -> {
                    if (e != null) {
                        log.info("CHECK_TRANSACTION_STATE for half {} to {} failed: {}", header.commitLogOffset(), ch,
                            e.toString());
                    }
                });
                return true;
            }
        };
    }
}
