package io.raftmq.client.protocol;

/**
 * A request that cannot be served as sent: a required header field is missing, a field does not parse, or a
 * body is malformed. Carries the response code the server answers with (docs/protocol.md: a RocketMQ server answers
 * such failures with {@link ResponseCode#SYSTEM_ERROR} and the error text as remark; handlers may pick another code,
 * e.g. {@link ResponseCode#INVALID_PARAMETER}). Thrown by header/body decoders and by request processors.
 */
public class RemotingCommandException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int responseCode;

    /** An error answered with {@link ResponseCode#SYSTEM_ERROR}. */
    public RemotingCommandException(String message) {
        this(ResponseCode.SYSTEM_ERROR, message);
    }

    /** An error answered with {@code responseCode}. */
    public RemotingCommandException(int responseCode, String message) {
        super(message);
        this.responseCode = responseCode;
    }

    /** The response code the server should answer this error with. */
    public int responseCode() {
        return responseCode;
    }
}
