package io.raftmq.raft.transport.netty;

import com.google.protobuf.CodedOutputStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.raftmq.raft.Verify;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.transport.netty.proto.RaftEnvelope;

import java.io.IOException;
import java.util.List;

/**
 * Outbound: encodes a {@link RaftMessage} into one frame ({@link RaftFrameCodec} layout) in a buffer sized
 * exactly, serializing the protobuf straight into the buffer's memory (payloads are copied once, from their
 * arrays into the frame).
 *
 * <p>Ownership: the frame buffer is allocated here and handed on to the next outbound handler, which releases it
 * once written; if encoding fails the buffer is released here. Not shared between channels.
 */
public final class RaftMessageEncoder extends MessageToMessageEncoder<RaftMessage> {
    private final int frameBytesMax;

    public RaftMessageEncoder(int frameBytesMax) {
        super(RaftMessage.class);
        this.frameBytesMax = frameBytesMax;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RaftMessage msg, List<Object> out) throws IOException {
        RaftEnvelope env = ProtoMapper.toEnvelope(msg);
        int size = env.getSerializedSize();
        if (size > frameBytesMax) {
            throw new IllegalArgumentException("frame of " + size + " bytes exceeds frameBytesMax " + frameBytesMax
                + " (" + msg.getClass().getSimpleName() + " to " + msg.to() + ")");
        }
        ByteBuf buf = ctx.alloc().ioBuffer(RaftFrameCodec.HEADER_LENGTH + size);
        boolean handedOn = false;
        try {
            encodeInto(env, size, buf);
            out.add(buf);
            handedOn = true;
        } finally {
            if (!handedOn) {
                buf.release();
            }
        }
    }

    /** Writes [length][envelope] at buf's writer index; visible for the codec tests. */
    static void encodeInto(RaftEnvelope env, int size, ByteBuf buf) throws IOException {
        int start = buf.writerIndex();
        buf.writeInt(size);
        buf.ensureWritable(size);
        CodedOutputStream cos = CodedOutputStream.newInstance(buf.nioBuffer(buf.writerIndex(), size));
        env.writeTo(cos);
        cos.flush();
        cos.checkNoSpaceLeft();
        buf.writerIndex(buf.writerIndex() + size);
        Verify.state(buf.writerIndex() - start == RaftFrameCodec.HEADER_LENGTH + size, "frame length", start,
            buf.writerIndex());
    }
}
