package io.raftmq.raft.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.raftmq.raft.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The handlers of a {@link NettyTransport}'s peer connections and the peer security they carry (docs/security.md
 * "Raft peer authentication", docs/raft-driver.md "Transport"): it fills the pipeline of each outgoing link and each
 * accepted connection, with an {@link SslHandler} first under mutual TLS and a {@link PeerAuthHandler} after it
 * with a group secret; tells a {@link PeerLink} when its new connection may carry messages ({@link #linkReady});
 * and counts and logs (rate-limited) the peer connections refused by a failed handshake ({@link #peerAuthFailed}).
 *
 * <p>Threading: {@link #secure} on a control thread before start; the rest on the event loops, {@link #authFailures}
 * on any thread.
 */
final class PeerPipelines {
    private static final Logger LOG = LoggerFactory.getLogger(PeerPipelines.class);
    /** The handshake promise of an outgoing connection with a group secret. */
    private static final AttributeKey<Future<Void>> READY = AttributeKey.valueOf("raftmq.raft.ready");
    private static final long AUTH_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final NettyTransport transport;
    private final NettyTransportConfig config;
    private volatile PeerSecurity security = PeerSecurity.NONE;
    private final AtomicLong authFailures = new AtomicLong();
    /** When a failed peer handshake was last logged (rate limit, {@link #AUTH_LOG_INTERVAL_NS}). */
    private final AtomicLong authLoggedNanos = new AtomicLong(System.nanoTime() - AUTH_LOG_INTERVAL_NS);

    PeerPipelines(NettyTransport transport) {
        this.transport = transport;
        this.config = transport.config();
    }

    /** Protects the connections set up from now on with {@code s}; the transport calls it before start. */
    void secure(PeerSecurity s) {
        security = Objects.requireNonNull(s, "security");
    }

    PeerSecurity security() {
        return security;
    }

    /** This node's member id (the handshake binds it in). */
    long nodeId() {
        return config.nodeId();
    }

    /** The pipeline of an outgoing connection of {@code link}: messages out, snapshot chunk acknowledgements in. */
    ChannelInitializer<SocketChannel> outboundInitializer(PeerLink link) {
        return new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                PeerSecurity sec = security;
                if (sec.clientTls() != null) {
                    ch.pipeline().addLast(sec.clientTls().newHandler(ch.alloc()));
                }
                if (sec.groupSecret() != null) {
                    Promise<Void> ready = ch.eventLoop().newPromise();
                    ch.attr(READY).set(ready);
                    ch.pipeline().addLast(PeerAuthHandler.dialer(PeerPipelines.this, sec.groupSecret(),
                        link.peerId(), ready));
                }
                ch.pipeline().addLast(new RaftMessageEncoder(config.frameBytesMax()),
                    RaftFrameCodec.newFrameDecoder(config.frameBytesMax()), new RaftMessageDecoder(),
                    new LinkInbound(transport, link));
            }
        };
    }

    /** Fills the pipeline of accepted connection {@code ch}: peers' messages in, to {@code sink}. Event loop. */
    void initAccepted(SocketChannel ch, Transport.InboundSink sink) {
        PeerSecurity sec = security;
        if (sec.serverTls() != null) {
            ch.pipeline().addLast(sec.serverTls().newHandler(ch.alloc()));
        }
        if (sec.groupSecret() != null) {
            ch.pipeline().addLast(PeerAuthHandler.acceptor(this, sec.groupSecret(), ch.eventLoop().newPromise()));
        }
        ch.pipeline().addLast(RaftFrameCodec.newFrameDecoder(config.frameBytesMax()),
            new RaftMessageDecoder(), new InboundDispatcher(transport, sink));
    }

    /**
     * When {@code ch}, an outgoing connection that just connected, may carry messages: after the peer handshake
     * with a group secret, after the TLS handshake with TLS only, at once otherwise. Event loop.
     */
    Future<?> linkReady(Channel ch) {
        Future<Void> ready = ch.attr(READY).get();
        if (ready != null) {
            return ready;
        }
        SslHandler tls = ch.pipeline().get(SslHandler.class);
        return tls != null ? tls.handshakeFuture() : ch.newSucceededFuture();
    }

    /** A peer connection failed its handshake and was closed: counted, logged at most once a second. */
    void peerAuthFailed(SocketAddress remote, String why) {
        long n = authFailures.incrementAndGet();
        long last = authLoggedNanos.get();
        long now = System.nanoTime();
        if (now - last >= AUTH_LOG_INTERVAL_NS && authLoggedNanos.compareAndSet(last, now)) {
            LOG.warn("node {}: refused raft connection {}: {} ({} refused so far)", config.nodeId(), remote, why, n);
        }
    }

    /** Peer connections refused since start (see {@link NettyTransport#authFailures}). Any thread. */
    long authFailures() {
        return authFailures.get();
    }
}
