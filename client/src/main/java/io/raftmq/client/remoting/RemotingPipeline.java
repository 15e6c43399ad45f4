package io.raftmq.client.remoting;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.raftmq.client.tls.TlsDetector;
import io.raftmq.client.tls.TlsMode;

import java.util.concurrent.TimeUnit;

/**
 * Builds the remoting pipeline (style principle 12), identical on server and client channels:
 * <pre>
 *   inbound:  [idle] -> frameDecoder (LengthFieldBasedFrameDecoder: 4-byte length, stripped, max frameLengthMax)
 *                    -> commandDecoder (RemotingCommandDecoder) -> dispatcher (enqueues to processor executors)
 *   outbound: dispatcher/any -> commandEncoder (RemotingCommandEncoder) -> flushConsolidation -> socket
 * </pre>
 * flushConsolidation turns the flushes of many responses written in one event-loop turn (a read's worth of
 * requests, or the answers of one Raft commit written from the agent thread) into one socket write; it never
 * delays a flush past the end of the current read or the tasks already queued on the loop.
 * A frame whose length prefix exceeds frameLengthMax raises {@code TooLongFrameException} (fail fast, before the
 * bytes arrive); the dispatcher then closes the channel. Tests use the same method with {@code EmbeddedChannel}.
 *
 * <p>TLS (docs/security.md "TLS") goes in front of everything, nearest the socket: {@link #addServerTls} after
 * {@link #init} on a server connection (an {@code SslHandler}, or in permissive mode a {@link TlsDetector} that
 * adds one only when the client opens with a TLS handshake), {@link #addClientTls} on a client connection.
 */
public final class RemotingPipeline {
    public static final String FLUSH_CONSOLIDATION = "flushConsolidation";
    public static final String IDLE = "idle";
    /** Flushes coalesced at most before one goes out regardless (bounds the bytes held in the outbound buffer). */
    static final int FLUSHES_COALESCED_MAX = 256;
    public static final String FRAME_DECODER = "frameDecoder";
    public static final String COMMAND_DECODER = "commandDecoder";
    public static final String COMMAND_ENCODER = "commandEncoder";
    public static final String DISPATCHER = "dispatcher";
    public static final String TLS = TlsDetector.TLS;
    public static final String TLS_DETECTOR = "tlsDetector";

    private RemotingPipeline() {
    }

    /**
     * Adds the remoting handlers to {@code p}.
     *
     * @param frameLengthMax largest accepted and sent frame, including the 4-byte length prefix
     * @param channelIdleMs  idle time after which an IdleStateEvent fires; 0 disables idle detection
     * @param dispatcher     the terminal inbound handler (may be {@code @Sharable})
     */
    public static void init(ChannelPipeline p, int frameLengthMax, long channelIdleMs, ChannelHandler dispatcher) {
        p.addLast(FLUSH_CONSOLIDATION, new FlushConsolidationHandler(FLUSHES_COALESCED_MAX, true));
        if (channelIdleMs > 0) {
            p.addLast(IDLE, new IdleStateHandler(0, 0, channelIdleMs, TimeUnit.MILLISECONDS));
        }
        p.addLast(FRAME_DECODER, new LengthFieldBasedFrameDecoder(frameLengthMax, 0, 4, 0, 4));
        p.addLast(COMMAND_DECODER, new RemotingCommandDecoder());
        p.addLast(COMMAND_ENCODER, new RemotingCommandEncoder(frameLengthMax));
        p.addLast(DISPATCHER, dispatcher);
    }

    /**
     * Puts the server side of TLS in front of {@code p} (a server connection already {@link #init}ed): nothing when
     * {@code mode} is disabled, an {@code SslHandler} when enforcing (a plain client's first bytes are not a TLS
     * record: the handshake fails and the channel closes), a {@link TlsDetector} when permissive.
     */
    public static void addServerTls(ChannelPipeline p, SslContext context, TlsMode mode) {
        switch (mode) {
            case DISABLED -> { }
            case ENFORCING -> p.addFirst(TLS, context.newHandler(p.channel().alloc()));
            case PERMISSIVE -> p.addFirst(TLS_DETECTOR, new TlsDetector(context));
            default -> throw new IllegalArgumentException("TLS mode " + mode);
        }
    }

    /** Puts the client side of TLS in front of {@code p} (a client connection already {@link #init}ed). */
    public static void addClientTls(ChannelPipeline p, SslContext context) {
        p.addFirst(TLS, context.newHandler(p.channel().alloc()));
    }
}
