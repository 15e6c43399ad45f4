package io.raftmq.broker.processor.send;

/**
 * A send request that must be refused with a specific response code (13 MESSAGE_ILLEGAL, 16 NO_PERMISSION,
 * 17 TOPIC_NOT_EXIST, 29 INVALID_PARAMETER); the message is the remark the client sees.
 */
public final class SendRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int responseCode;

    public SendRejectedException(int responseCode, String remark) {
        super(remark);
        this.responseCode = responseCode;
    }

    /** The remoting response code to answer with. */
    public int responseCode() {
        return responseCode;
    }
}
