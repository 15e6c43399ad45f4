package io.raftmq.raft.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last inbound handler of a peer connection: hands each decoded {@link RaftMessage} to the agent's sink (which
 * only enqueues), dropping and counting messages addressed to another node or refused by a full inbox. It is the
 * pipeline boundary: any exception that reached it (corrupt frame, oversized frame, I/O error) is counted, logged
 * and closes the connection; the sender reconnects. A failed TLS handshake (a peer without a group certificate) is
 * logged rate-limited, as a refused peer ({@link PeerPipelines#peerAuthFailed}).
 *
 * <p>Chunks of a large InstallSnapshot go to the transport's {@link SnapshotAssembler}; the acknowledgement is
 * written back on this connection (a new frame, released by the channel once written).
 *
 * <p>On a connection authenticated with the group secret, messages whose sender is not the authenticated member are
 * dropped too (docs/security.md "Raft peer authentication").
 *
 * <p>Ownership: decoded messages hold no Netty buffers, so nothing is released here; anything else that arrives
 * (which the decoders never produce) would be a bug and is rejected. One instance per channel.
 */
final class InboundDispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(InboundDispatcher.class);

    private final NettyTransport transport;
    private final Transport.InboundSink sink;

    InboundDispatcher(NettyTransport transport, Transport.InboundSink sink) {
        this.transport = transport;
        this.sink = sink;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws java.io.IOException {
        if (msg instanceof SnapshotChunk c) {
            onChunk(ctx, c);
            return;
        }
        if (!(msg instanceof RaftMessage m)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            throw new IllegalStateException("unexpected inbound object " + msg.getClass());
        }
        Long peer = ctx.channel().attr(PeerAuthHandler.PEER).get();
        if (peer != null && m.from() != peer) { // an authenticated member speaks for itself only
            transport.countDroppedInbound(1);
            return;
        }
        if (m.to() != transport.config().nodeId() || !sink.deliver(m)) {
            transport.countDroppedInbound(1);
            return;
        }
        transport.countReceived(1);
    }

    /** A piece of a chunked install: assembled, answered on the same connection. */
    private void onChunk(ChannelHandlerContext ctx, SnapshotChunk c) throws java.io.IOException {
        Long peer = ctx.channel().attr(PeerAuthHandler.PEER).get();
        if (c.to() != transport.config().nodeId() || peer != null && c.from() != peer) {
            transport.countDroppedInbound(1);
            return;
        }
        SnapshotChunkAck ack = transport.assembler().onChunk(c, System.nanoTime(), this::deliverSnapshot);
        ctx.writeAndFlush(ChunkFrames.encodeAck(ctx.alloc(), ack), ctx.voidPromise());
    }

    private boolean deliverSnapshot(RaftMessage m) {
        if (sink.deliver(m)) {
            transport.countReceived(1);
            return true;
        }
        transport.countDroppedInbound(1);
        return false;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        transport.countError();
        if (cause.getCause() instanceof javax.net.ssl.SSLException tls) { // a peer without a group certificate
            transport.pipelines().peerAuthFailed(ctx.channel().remoteAddress(), "TLS: " + tls.getMessage());
            ctx.close();
            return;
        }
        LOG.warn("node {}: closing raft connection {} after error: {}", transport.config().nodeId(),
            ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
