package io.raftmq.client.remoting;

import io.raftmq.client.protocol.RemotingCommandCodec;

/**
 * Immutable settings of a {@link RemotingClient}, validated once.
 *
 * @param localBindHost       local address to bind outgoing connections to, or null for any
 * @param ioThreads           Netty event loops
 * @param frameLengthMax      largest frame accepted or sent, including the 4-byte length prefix (docs/protocol.md: 16
 * MiB)
 * @param connectTimeoutMs    connect timeout
 * @param channelIdleMs       close a channel after this long without reads and writes (docs/protocol.md: 120 s); 0 =
 * never
 * @param inflightRequestsMax calls pending at once over all connections (semaphore)
 */
public record RemotingClientConfig(String localBindHost, int ioThreads, int frameLengthMax, long connectTimeoutMs,
                                   long channelIdleMs, int inflightRequestsMax) {
    public static final long CONNECT_TIMEOUT_MS_DEFAULT = 3_000;
    public static final int INFLIGHT_REQUESTS_MAX_DEFAULT = 65_536;

    public RemotingClientConfig {
        if (localBindHost != null && localBindHost.isBlank()) {
            throw new IllegalArgumentException("localBindHost must be null or an address");
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be >= 1: " + ioThreads);
        }
        if (frameLengthMax < 64) {
            throw new IllegalArgumentException("frameLengthMax must be >= 64: " + frameLengthMax);
        }
        if (connectTimeoutMs < 1 || connectTimeoutMs > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("connectTimeoutMs out of range: " + connectTimeoutMs);
        }
        if (channelIdleMs < 0) {
            throw new IllegalArgumentException("channelIdleMs must be >= 0: " + channelIdleMs);
        }
        if (inflightRequestsMax < 1) {
            throw new IllegalArgumentException("inflightRequestsMax must be >= 1: " + inflightRequestsMax);
        }
    }

    /**
     * Protocol defaults (docs/protocol.md §5.1): 16 MiB frames, 3 s connect, 120 s idle, 1 I/O thread, no local
     * bind.
     */
    public static RemotingClientConfig defaults() {
        return new RemotingClientConfig(null, 1, RemotingCommandCodec.FRAME_LENGTH_MAX_DEFAULT,
                CONNECT_TIMEOUT_MS_DEFAULT, RemotingServerConfig.CHANNEL_IDLE_MS_DEFAULT,
                        INFLIGHT_REQUESTS_MAX_DEFAULT);
    }
}
