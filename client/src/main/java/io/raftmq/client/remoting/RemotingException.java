package io.raftmq.client.remoting;

/**
 * Base of the remoting operating errors raised by {@link RemotingClient} and {@link RemotingServer} invocations.
 * Checked: callers must decide whether to retry, fail over or give up.
 */
public class RemotingException extends Exception {
    private static final long serialVersionUID = 1L;

    public RemotingException(String message) {
        super(message);
    }

    public RemotingException(String message, Throwable cause) {
        super(message, cause);
    }
}
