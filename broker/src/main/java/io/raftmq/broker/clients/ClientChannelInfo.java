package io.raftmq.broker.clients;

import io.netty.channel.Channel;
import io.raftmq.client.protocol.LanguageCode;

/**
 * One registered client connection: its channel, clientID, language and version (from the heartbeat's remoting
 * header), and when it was last heard from (ms, injected clock).
 */
public record ClientChannelInfo(Channel channel, String clientId, LanguageCode language, int version,
                                long lastUpdateMs) {
    /** The remote address as "ip:port" (without the leading slash Netty prints). */
    public String clientAddr() {
        String s = String.valueOf(channel.remoteAddress());
        return s.startsWith("/") ? s.substring(1) : s;
    }

    ClientChannelInfo touched(long nowMs) {
        return new ClientChannelInfo(channel, clientId, language, version, nowMs);
    }
}
