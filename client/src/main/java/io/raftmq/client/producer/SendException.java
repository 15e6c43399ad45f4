package io.raftmq.client.producer;

import io.raftmq.client.protocol.ResponseCode;

/**
 * A send that failed after its retries: the broker refused it with {@link #responseCode()} (a code from
 * {@link ResponseCode}), or no broker could be reached in time ({@link #CLIENT_SIDE}). With a timeout or a lost
 * connection the message may still have been stored (at-least-once: a later retry by the caller can duplicate it;
 * message keys let consumers deduplicate).
 */
public final class SendException extends Exception {
    /** {@link #responseCode()} of failures without a broker answer (timeout, connection, no route, shutdown). */
    public static final int CLIENT_SIDE = -1;

    private final int responseCode;

    public SendException(int responseCode, String message, Throwable cause) {
        super(message, cause);
        this.responseCode = responseCode;
    }

    /** The broker's response code, or {@link #CLIENT_SIDE}. */
    public int responseCode() {
        return responseCode;
    }
}
