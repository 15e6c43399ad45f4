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
 * @param snapshotChunkBytes    an InstallSnapshot whose data is larger travels in chunks of this size
 *                              ({@link SnapshotStreamer}); must fit a frame with room for the chunk's header
 * @param snapshotChunksInflightMax chunks sent to a peer and not yet acknowledged, at most (flow control)
 * @param snapshotPartialTimeoutMs  a receiver drops a partly received snapshot no chunk extended for this long
 * @param snapshotBytesMax      largest snapshot a receiver assembles (it holds the whole in memory)
 */
public record NettyTransportConfig(long nodeId, InetSocketAddress listenAddress, int outboundQueueMax,
                                   int frameBytesMax, int writeBufferBytesMax, long reconnectBackoffMsMin,
                                   long reconnectBackoffMsMax, long connectTimeoutMs, int ioThreads,
                                   int snapshotChunkBytes, int snapshotChunksInflightMax,
                                   long snapshotPartialTimeoutMs, int snapshotBytesMax) {
    /** Room a chunk frame needs beyond its data (envelope header, chunk fields, membership of a small group). */
    public static final int CHUNK_OVERHEAD_BYTES_MAX = 4096;

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
        Verify.argument(snapshotChunkBytes >= 1024 && snapshotChunkBytes <= frameBytesMax - CHUNK_OVERHEAD_BYTES_MAX,
            "snapshotChunkBytes must be in [1024, frameBytesMax - " + CHUNK_OVERHEAD_BYTES_MAX + "]");
        Verify.argument(snapshotChunksInflightMax >= 1 && snapshotChunksInflightMax <= 64,
            "snapshotChunksInflightMax must be in [1, 64]");
        Verify.argument((long) snapshotChunkBytes * snapshotChunksInflightMax <= writeBufferBytesMax,
            "snapshotChunkBytes x snapshotChunksInflightMax must fit writeBufferBytesMax");
        Verify.argument(snapshotPartialTimeoutMs >= 1, "snapshotPartialTimeoutMs must be >= 1");
        Verify.argument(snapshotBytesMax >= snapshotChunkBytes && snapshotBytesMax <= Integer.MAX_VALUE - 8,
            "snapshotBytesMax must be in [snapshotChunkBytes, 2 GiB - 8]");
    }

    /** These settings with snapshots in {@code chunkBytes} chunks, at most {@code inflightMax} unacknowledged. */
    public NettyTransportConfig withSnapshotChunks(int chunkBytes, int inflightMax) {
        return new NettyTransportConfig(nodeId, listenAddress, outboundQueueMax, frameBytesMax, writeBufferBytesMax,
            reconnectBackoffMsMin, reconnectBackoffMsMax, connectTimeoutMs, ioThreads, chunkBytes, inflightMax,
            snapshotPartialTimeoutMs, snapshotBytesMax);
    }

    /**
     * Defaults: 4096 queued messages per peer, 16 MiB frames, 64 MiB unsent bytes per connection, reconnect after
     * 20 ms doubling up to 80 ms (a restarted peer is reached again within 80 ms of listening: it catches up sooner;
     * a refused connect costs little and an unanswered one waits the connect timeout anyway), 500 ms connect
     * timeout, 1 I/O thread (a node talks to a handful of peers; the machine has few cores); snapshots in 1 MiB
     * chunks, 4 unacknowledged, a partial snapshot dropped after 30 s without progress, snapshots up to 1 GiB.
     */
    public static NettyTransportConfig defaults(long nodeId, InetSocketAddress listenAddress) {
        return new NettyTransportConfig(nodeId, listenAddress, 4096, 16 << 20, 64 << 20, 20, 80, 500, 1, 1 << 20, 4,
            30_000, 1 << 30);
    }
}
