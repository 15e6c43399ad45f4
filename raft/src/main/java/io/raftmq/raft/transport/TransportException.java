package io.raftmq.raft.transport;

/** Operating error of a {@link Transport} that the caller must see: the node cannot listen on its address. */
public final class TransportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
