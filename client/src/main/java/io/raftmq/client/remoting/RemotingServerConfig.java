package io.raftmq.client.remoting;

import io.raftmq.client.protocol.RemotingCommandCodec;

/**
 * Immutable settings of a {@link RemotingServer}, validated once.
 *
 * @param bindHost            local address to listen on (e.g. "127.0.0.1" or "0.0.0.0")
 * @param port                TCP port; 0 = ephemeral (read the bound one from {@link RemotingServer#port()})
 * @param ioThreads           Netty worker event loops
 * @param frameLengthMax      largest frame accepted or sent, including the 4-byte length prefix (docs/protocol.md: 16
 * MiB)
 * @param channelIdleMs       close a channel after this long without reads and writes (docs/protocol.md: 120 s); 0 =
 * never
 * @param inflightRequestsMax server-to-client calls (invokeAsync/Sync/Oneway) pending at once
 */
public record RemotingServerConfig(String bindHost, int port, int ioThreads, int frameLengthMax, long channelIdleMs,
                                   int inflightRequestsMax) {
    public static final long CHANNEL_IDLE_MS_DEFAULT = 120_000;
    public static final int INFLIGHT_REQUESTS_MAX_DEFAULT = 65_536;

    public RemotingServerConfig {
        if (bindHost == null || bindHost.isBlank()) {
            throw new IllegalArgumentException("bindHost is required");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be >= 1: " + ioThreads);
        }
        if (frameLengthMax < 64) {
            throw new IllegalArgumentException("frameLengthMax must be >= 64: " + frameLengthMax);
        }
        if (channelIdleMs < 0) {
            throw new IllegalArgumentException("channelIdleMs must be >= 0: " + channelIdleMs);
        }
        if (inflightRequestsMax < 1) {
            throw new IllegalArgumentException("inflightRequestsMax must be >= 1: " + inflightRequestsMax);
        }
    }

    /**
     * Protocol defaults (docs/protocol.md §5.1) on {@code bindHost:port}: 16 MiB frames, 120 s idle, 2 I/O
     * threads.
     */
    public static RemotingServerConfig defaults(String bindHost, int port) {
        return new RemotingServerConfig(bindHost, port, 2, RemotingCommandCodec.FRAME_LENGTH_MAX_DEFAULT,
                CHANNEL_IDLE_MS_DEFAULT, INFLIGHT_REQUESTS_MAX_DEFAULT);
    }
}
