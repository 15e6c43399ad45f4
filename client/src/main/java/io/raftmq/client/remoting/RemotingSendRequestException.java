package io.raftmq.client.remoting;

/**
 * The request could not be written to the channel (channel closed during the write, encoder failure such as a frame
 * over frameLengthMax).
 */
public class RemotingSendRequestException extends RemotingException {
    private static final long serialVersionUID = 1L;

    public RemotingSendRequestException(String message) {
        super(message);
    }

    public RemotingSendRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
