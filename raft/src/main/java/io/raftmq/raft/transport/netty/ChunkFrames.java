package io.raftmq.raft.transport.netty;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.raftmq.raft.transport.netty.proto.PbSnapshotChunk;
import io.raftmq.raft.transport.netty.proto.PbSnapshotChunkAck;
import io.raftmq.raft.transport.netty.proto.RaftEnvelope;

import java.io.IOException;

/**
 * Frames of a chunked snapshot transfer: the usual {@link RaftFrameCodec} frame ([length][RaftEnvelope]) whose
 * envelope body is a {@code PbSnapshotChunk} (field 18) or a {@code PbSnapshotChunkAck} (field 19) of
 * {@code raft_messages.proto}. For example a chunk from 1 to 2, term 3, snapshot (index 5, term 2) of 9 bytes at
 * offset 4, crc32c 0x01020304, data "ab":
 * <pre>
 *  0000001a             length 26
 *  0801 1002 1803       from, to, term
 *  92 01 11             field 18, 17 bytes:
 *    0805 1002 1809 2004   snapshot_index 5, snapshot_term 2, total_length 9, offset 4
 *    2d 04030201           crc32c (fixed32, little-endian)
 *    3a02 6162             data "ab" (membership empty: omitted)
 * </pre>
 * Stateless; any thread. Buffers: the encoders return a new frame owned by the caller (written to a channel,
 * which releases it).
 */
final class ChunkFrames {
    private ChunkFrames() {
    }

    /** The frame of {@code length} data bytes of {@code whole} from {@code offset} (no copy until written). */
    static ByteBuf encodeChunk(ByteBufAllocator alloc, long from, long to, long term, long snapshotIndex,
                               long snapshotTerm, byte[] whole, int crc32c, byte[] membership, int offset,
                               int length) throws IOException {
        PbSnapshotChunk.Builder c = PbSnapshotChunk.newBuilder().setSnapshotIndex(snapshotIndex)
            .setSnapshotTerm(snapshotTerm).setTotalLength(whole.length).setOffset(offset).setCrc32C(crc32c)
            .setData(UnsafeByteOperations.unsafeWrap(whole, offset, length));
        if (offset == 0 && membership.length > 0) {
            c.setMembership(UnsafeByteOperations.unsafeWrap(membership));
        }
        return frame(alloc, RaftEnvelope.newBuilder().setFrom(from).setTo(to).setTerm(term).setSnapshotChunk(c)
            .build());
    }

    /** The frame of {@code ack}. */
    static ByteBuf encodeAck(ByteBufAllocator alloc, SnapshotChunkAck ack) throws IOException {
        return frame(alloc, RaftEnvelope.newBuilder().setFrom(ack.from()).setTo(ack.to())
            .setSnapshotChunkAck(PbSnapshotChunkAck.newBuilder().setSnapshotIndex(ack.snapshotIndex())
                .setSnapshotTerm(ack.snapshotTerm()).setOffset(ack.offset()).setCrcMismatch(ack.crcMismatch()))
            .build());
    }

    private static ByteBuf frame(ByteBufAllocator alloc, RaftEnvelope env) throws IOException {
        int size = env.getSerializedSize();
        ByteBuf buf = alloc.ioBuffer(RaftFrameCodec.HEADER_LENGTH + size);
        boolean done = false;
        try {
            RaftMessageEncoder.encodeInto(env, size, buf);
            done = true;
            return buf;
        } finally {
            if (!done) {
                buf.release();
            }
        }
    }

    /** The chunk in {@code env} (its data copied once, out of the possibly aliased frame). */
    static SnapshotChunk chunk(RaftEnvelope env) {
        PbSnapshotChunk c = env.getSnapshotChunk();
        try {
            return new SnapshotChunk(env.getFrom(), env.getTo(), env.getTerm(), c.getSnapshotIndex(),
                c.getSnapshotTerm(), c.getTotalLength(), c.getOffset(), c.getCrc32C(), copy(c.getMembership()),
                copy(c.getData()));
        } catch (IllegalArgumentException e) {
            throw new CorruptFrameException("invalid snapshot chunk from " + env.getFrom() + ": " + e.getMessage());
        }
    }

    /** The ack in {@code env}. */
    static SnapshotChunkAck ack(RaftEnvelope env) {
        PbSnapshotChunkAck a = env.getSnapshotChunkAck();
        try {
            return new SnapshotChunkAck(env.getFrom(), env.getTo(), a.getSnapshotIndex(), a.getSnapshotTerm(),
                a.getOffset(), a.getCrcMismatch());
        } catch (IllegalArgumentException e) {
            throw new CorruptFrameException("invalid snapshot chunk ack from " + env.getFrom() + ": "
                + e.getMessage());
        }
    }

    private static byte[] copy(ByteString bytes) {
        return bytes.toByteArray();
    }
}
