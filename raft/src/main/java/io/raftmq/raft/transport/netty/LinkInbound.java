package io.raftmq.raft.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tail of an outgoing connection's pipeline: the only thing a peer writes back on it is a
 * {@link SnapshotChunkAck}, handed to the link's {@link SnapshotStreamer}; anything else is a protocol error and
 * closes the connection (the link reconnects). Writability changes continue a snapshot stream. Boundary handler:
 * errors are counted and logged and close the channel.
 *
 * <p>Ownership: decoded acknowledgements hold no Netty memory; anything else is released here. One per channel.
 */
final class LinkInbound extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(LinkInbound.class);

    private final NettyTransport transport;
    private final PeerLink link;

    LinkInbound(NettyTransport transport, PeerLink link) {
        this.transport = transport;
        this.link = link;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof SnapshotChunkAck ack && ack.to() == transport.config().nodeId()
            && ack.from() == link.peerId()) {
            link.onChunkAck(ack, ctx.channel());
            return;
        }
        ReferenceCountUtil.release(msg);
        transport.countError();
        LOG.warn("node {}: unexpected {} on the outgoing connection to peer {}; closing it",
            transport.config().nodeId(), msg.getClass().getSimpleName(), link.peerId());
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            link.onWritable(ctx.channel());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        transport.countError();
        LOG.debug("node {}: outgoing raft connection {} failed: {}", transport.config().nodeId(),
            ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
