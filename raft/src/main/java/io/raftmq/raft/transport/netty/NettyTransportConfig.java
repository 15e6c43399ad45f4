package io.raftmq.raft.transport.netty;

import io.raftmq.raft.Verify;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Settings of one node's {@link NettyTransport}, validated once here.
 *
 * @param nodeId                this node's id; inbound messages addressed elsewhere are dropped
 * @param listenAddress         where peers connect to this node; outgoing connections also bind to its IP, so
 *                              several nodes on one machine keep distinct addresses (127.0.0.2, ...). Port 0
 *                              picks a free port ({@link NettyTransport#boundAddress()})
 * @param outboundQueueMax      messages queued per peer before further ones are dropped (the protocol tolerates
 *                              loss, and a full queue means the peer or the link cannot keep up)
 * @param frameBytesMax         largest envelope on the wire, both directions; must hold an AppendEntries of
 *                              the core's batchBytesMax plus per-entry overhead
 * @param writeBufferBytesMax   bytes written to a socket but not yet sent before the channel reports itself
 *                              unwritable; messages are then dropped instead of piling up in memory
 * @param reconnectBackoffMsMin first delay before reconnecting to a peer; doubles per failure
 * @param reconnectBackoffMsMax cap of that delay (keep it below the election timeout, so a restarted peer is
 *                              reached again before anyone gives up on it)
 * @param connectTimeoutMs      TCP connect timeout
 * @param ioThreads             Netty event loop threads for all connections of this node
 */
public record NettyTransportConfig(long nodeId, InetSocketAddress listenAddress, int outboundQueueMax,
                                   int frameBytesMax, int writeBufferBytesMax, long reconnectBackoffMsMin,
                                   long reconnectBackoffMsMax, long connectTimeoutMs, int ioThreads) {
    public NettyTransportConfig {
        Objects.requireNonNull(listenAddress, "listenAddress");
        Verify.argument(nodeId > 0, "nodeId must be positive");
        Verify.argument(outboundQueueMax >= 16, "outboundQueueMax must be >= 16");
        Verify.argument(frameBytesMax >= 1024, "frameBytesMax must be >= 1024");
        Verify.argument(writeBufferBytesMax >= frameBytesMax, "writeBufferBytesMax must be >= frameBytesMax");
        Verify.argument(reconnectBackoffMsMin >= 1, "reconnectBackoffMsMin must be >= 1");
        Verify.argument(reconnectBackoffMsMax >= reconnectBackoffMsMin,
            "reconnectBackoffMsMax must be >= reconnectBackoffMsMin");
        Verify.argument(connectTimeoutMs >= 1, "connectTimeoutMs must be >= 1");
        Verify.argument(ioThreads >= 1, "ioThreads must be >= 1");
    }

    /**
     * Defaults: 4096 queued messages per peer, 16 MiB frames, 64 MiB unsent bytes per connection, reconnect after
     * 20 ms doubling up to 200 ms (well inside the default election timeout), 500 ms connect timeout, 1 I/O thread
     * (a node talks to a handful of peers; the machine has few cores).
     */
    public static NettyTransportConfig defaults(long nodeId, InetSocketAddress listenAddress) {
        return new NettyTransportConfig(nodeId, listenAddress, 4096, 16 << 20, 64 << 20, 20, 200, 500, 1);
    }
}
