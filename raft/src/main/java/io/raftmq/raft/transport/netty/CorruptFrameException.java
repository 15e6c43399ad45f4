package io.raftmq.raft.transport.netty;

/**
 * A frame that does not decode to a valid Raft message (bad protobuf, missing body, invalid field values). Raised
 * inside the inbound pipeline; the connection's error handler counts it, logs it and closes the connection.
 */
public final class CorruptFrameException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorruptFrameException(String message) {
        super(message);
    }

    public CorruptFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
