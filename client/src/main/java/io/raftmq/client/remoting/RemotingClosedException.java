package io.raftmq.client.remoting;

/**
 * The channel closed or the endpoint shut down before the response arrived: every pending call on it fails with this.
 */
public class RemotingClosedException extends RemotingException {
    private static final long serialVersionUID = 1L;

    public RemotingClosedException(String message) {
        super(message);
    }

    public RemotingClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
