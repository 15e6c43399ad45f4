package io.raftmq.client.remoting;

/**
 * No response arrived within the call's timeout. The request may or may not have been processed by the peer.
 */
public class RemotingTimeoutException extends RemotingException {
    private static final long serialVersionUID = 1L;

    public RemotingTimeoutException(String message) {
        super(message);
    }

    public RemotingTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
