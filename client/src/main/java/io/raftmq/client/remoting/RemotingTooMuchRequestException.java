package io.raftmq.client.remoting;

/**
 * The in-flight request limit (inflightRequestsMax) was reached and no permit freed up within the call's timeout.
 */
public class RemotingTooMuchRequestException extends RemotingException {
    private static final long serialVersionUID = 1L;

    public RemotingTooMuchRequestException(String message) {
        super(message);
    }

    public RemotingTooMuchRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
