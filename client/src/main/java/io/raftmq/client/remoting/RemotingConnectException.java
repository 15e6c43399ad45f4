package io.raftmq.client.remoting;

/**
 * A connection to the remote address could not be established within the connect timeout.
 */
public class RemotingConnectException extends RemotingException {
    private static final long serialVersionUID = 1L;

    public RemotingConnectException(String message) {
        super(message);
    }

    public RemotingConnectException(String message, Throwable cause) {
        super(message, cause);
    }
}
