package io.raftmq.client.remoting;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.raftmq.client.Verify;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandCodec;

import java.util.List;

/**
 * Outbound stage: writes a {@link RemotingCommand} as a header buffer followed by its body, without copying the
 * body. Not {@code @Sharable} (per-channel scratch). Frames longer than {@code frameLengthMax} (including the
 * length prefix) are refused with an {@link EncoderException} that fails the write's promise.
 *
 * <p><b>Ownership:</b> the command written to the channel is released by {@link MessageToMessageEncoder} after
 * {@link #encode}; the header buffer and a retained duplicate of the body are passed on and released by the
 * transport once written. On failure nothing leaks.
 */
public final class RemotingCommandEncoder extends MessageToMessageEncoder<RemotingCommand> {
    private final RemotingCommandCodec codec = new RemotingCommandCodec();
    private final int frameLengthMax;

    public RemotingCommandEncoder(int frameLengthMax) {
        super(RemotingCommand.class);
        Verify.argument(frameLengthMax > 8, "frameLengthMax must exceed the 8-byte prefix");
        this.frameLengthMax = frameLengthMax;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RemotingCommand cmd, List<Object> out) {
        ByteBuf header = ctx.alloc().buffer(256);
        try {
            int total = codec.encodeHeader(cmd, header);
            if (total > frameLengthMax) {
                throw new EncoderException("frame of " + total + " bytes exceeds frameLengthMax " + frameLengthMax
                        + " (code " + cmd.code() + ", opaque " + cmd.opaque() + ")");
            }
        } catch (RuntimeException e) {
            header.release();
            throw e;
        }
        out.add(header);
        if (cmd.bodyLength() > 0) {
            out.add(cmd.body().retainedDuplicate());
        }
    }
}
