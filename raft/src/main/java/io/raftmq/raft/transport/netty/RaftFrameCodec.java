package io.raftmq.raft.transport.netty;

import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.raftmq.raft.Verify;

/**
 * The frame format on a Raft peer connection and the factory of its inbound frame decoder.
 *
 * <pre>
 *  0               4
 *  +---------------+-------------------------------------------+
 *  | length (int)  | RaftEnvelope, protobuf (length bytes)     |
 *  +---------------+-------------------------------------------+
 * </pre>
 * length is big-endian, counts only the envelope and is at most {@code frameBytesMax}. The envelope schema is
 * {@code raft/src/main/proto/raft_messages.proto} (header fields from, to, term and one body). Integrity beyond
 * TCP's checksum is not added here: entries are checksummed again by the log that stores them.
 *
 * <p>Inbound pipeline: {@link #newFrameDecoder} (strips the length), {@link RaftMessageDecoder} (frame to
 * record), then the dispatcher that enqueues into the agent's inbox. Outbound: {@link RaftMessageEncoder}.
 */
public final class RaftFrameCodec {
    public static final int LENGTH_OFFSET = 0;
    public static final int LENGTH_FIELD_BYTES = 4;
    public static final int HEADER_LENGTH = 4;

    static {
        Verify.state(LENGTH_OFFSET + LENGTH_FIELD_BYTES == HEADER_LENGTH, "frame header layout", LENGTH_OFFSET,
            HEADER_LENGTH);
    }

    private RaftFrameCodec() {
    }

    /** A new (never shared) decoder that cuts frames of at most {@code frameBytesMax} envelope bytes. */
    public static LengthFieldBasedFrameDecoder newFrameDecoder(int frameBytesMax) {
        return new LengthFieldBasedFrameDecoder(frameBytesMax + HEADER_LENGTH, LENGTH_OFFSET, LENGTH_FIELD_BYTES, 0,
            HEADER_LENGTH);
    }
}
