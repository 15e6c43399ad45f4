package io.raftmq.broker.produce;

/** A message the broker wrote itself was not committed; {@link #responseCode} is the remoting code why. */
public final class InternalSendException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int responseCode;

    public InternalSendException(int responseCode, String remark) {
        super(remark);
        this.responseCode = responseCode;
    }

    /** 14 not leader or stopping, 2 overloaded, 1 not committed in time (outcome unknown), 13 malformed. */
    public int responseCode() {
        return responseCode;
    }
}
