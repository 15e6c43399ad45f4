package io.raftmq.raft.transport.netty;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.transport.netty.proto.RaftEnvelope;

import java.io.IOException;
import java.util.List;

/**
 * Inbound: turns one frame (the envelope bytes, length already stripped by the frame decoder) into a
 * {@link RaftMessage}. The protobuf parser reads the frame's memory in place with aliasing, and
 * {@link ProtoMapper} copies each payload once into its own array, so the message outlives the frame.
 *
 * <p>Ownership: the frame is this handler's to release; {@link MessageToMessageDecoder} releases it after
 * {@link #decode} returns (also when it throws). The decoded message holds no Netty memory. Never shared:
 * one instance per channel.
 *
 * <p>Errors: {@link CorruptFrameException} (bad protobuf or invalid fields) propagates to the pipeline's error
 * handler, which closes the connection.
 */
public final class RaftMessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    public RaftMessageDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(decodeFrame(frame));
    }

    /** Decodes the readable bytes of {@code frame} without consuming or releasing it. */
    static RaftMessage decodeFrame(ByteBuf frame) {
        CodedInputStream in = UnsafeByteOperations.unsafeWrap(frame.nioBuffer()).newCodedInput();
        in.enableAliasing(true);
        RaftEnvelope env;
        try {
            env = RaftEnvelope.parseFrom(in);
        } catch (IOException e) {
            throw new CorruptFrameException("undecodable raft frame of " + frame.readableBytes() + " bytes", e);
        }
        return ProtoMapper.fromEnvelope(env);
    }
}
