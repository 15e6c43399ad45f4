package io.raftmq.client.remoting;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.raftmq.client.protocol.RemotingCommandCodec;

import java.util.List;

/**
 * Second inbound stage: turns one length-stripped frame (from {@code LengthFieldBasedFrameDecoder}) into a
 * {@link io.raftmq.client.protocol.RemotingCommand}. Not {@code @Sharable} (holds a per-channel codec with scratch
 * buffers).
 *
 * <p><b>Ownership:</b> the inbound frame is released by {@link MessageToMessageDecoder} after {@link #decode};
 * the emitted command holds a retained slice of it as body and belongs to the next handler, which must release it
 * (the dispatcher does). A malformed frame raises {@code CorruptedFrameException} (a
 * {@code DecoderException}); nothing is retained in that case, and the dispatcher closes the channel.
 */
public final class RemotingCommandDecoder extends MessageToMessageDecoder<ByteBuf> {
    private final RemotingCommandCodec codec = new RemotingCommandCodec();

    public RemotingCommandDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(codec.decode(frame));
    }
}
