package io.raftmq.client.remoting;

import io.netty.channel.Channel;

/**
 * Connection lifecycle events of an endpoint (the NameServer expires a broker when its channel closes; the broker
 * drops a client's registrations). Called on the channel's event loop: implementations must be quick and must
 * not block. Exceptions thrown by a listener are logged and counted, never propagated.
 */
public interface ChannelEventListener {
    /** A channel became active (connected or accepted). */
    default void onConnect(Channel channel) {
    }

    /** A channel closed, for any reason. Pending calls on it have already failed. */
    default void onClose(Channel channel) {
    }

    /** A channel saw no reads and writes for channelIdleMs; it is closed right after this call. */
    default void onIdle(Channel channel) {
    }

    /** A pipeline error (malformed or oversized frame, I/O error); the channel is closed right after. */
    default void onException(Channel channel, Throwable cause) {
    }
}
