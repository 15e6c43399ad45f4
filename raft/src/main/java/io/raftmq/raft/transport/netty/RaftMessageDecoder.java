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
 * {@link RaftMessage} (or a chunk or chunk acknowledgement of a chunked install, {@link ChunkFrames}).
 * AppendEntries take the hand-written fast path ({@link AppendEntriesCodec}); other messages
 * are parsed by the generated classes reading the frame's memory in place with aliasing and mapped by
 * {@link ProtoMapper}. Either way each payload is copied once into its own array, so the message outlives the
 * frame.
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
        out.add(decodeAny(frame));
    }

    /** Decodes the readable bytes of {@code frame} without consuming or releasing it; a raft message only. */
    static RaftMessage decodeFrame(ByteBuf frame) {
        if (decodeAny(frame) instanceof RaftMessage m) {
            return m;
        }
        throw new CorruptFrameException("frame of " + frame.readableBytes() + " bytes is not a raft message");
    }

    /**
     * Decodes a raft message, or a {@link SnapshotChunk} / {@link SnapshotChunkAck} of a chunked install (the
     * transport handles those itself), without consuming or releasing the frame.
     */
    static Object decodeAny(ByteBuf frame) {
        try {
            RaftMessage fast = AppendEntriesCodec.tryDecode(newInput(frame));
            if (fast != null) {
                return fast;
            }
            RaftEnvelope env = RaftEnvelope.parseFrom(newInput(frame));
            return switch (env.getBodyCase()) {
                case SNAPSHOT_CHUNK -> ChunkFrames.chunk(env);
                case SNAPSHOT_CHUNK_ACK -> ChunkFrames.ack(env);
                default -> ProtoMapper.fromEnvelope(env);
            };
        } catch (IOException e) {
            throw new CorruptFrameException("undecodable raft frame of " + frame.readableBytes() + " bytes", e);
        }
    }

    /** A parser over the frame's memory in place; aliased byte strings never outlive the frame (see class doc). */
    private static CodedInputStream newInput(ByteBuf frame) {
        CodedInputStream in = UnsafeByteOperations.unsafeWrap(frame.nioBuffer()).newCodedInput();
        in.enableAliasing(true);
        return in;
    }
}
