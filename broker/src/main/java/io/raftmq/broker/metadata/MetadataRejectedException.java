package io.raftmq.broker.metadata;

/**
 * A metadata change refused before it was proposed: an invalid name or queue count, a system topic that cannot
 * be deleted, auto-creation disabled. Carries the remoting response code to answer with.
 */
public final class MetadataRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int responseCode;

    public MetadataRejectedException(int responseCode, String message) {
        super(message);
        this.responseCode = responseCode;
    }

    /** The response code (e.g. 29 INVALID_PARAMETER, 17 TOPIC_NOT_EXIST, 16 NO_PERMISSION). */
    public int responseCode() {
        return responseCode;
    }
}
