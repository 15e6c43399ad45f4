package io.raftmq.broker.longpoll;

/**
 * Limits of long polling ({@link HeldPullRequests}), validated once.
 *
 * @param heldRequestsMax most pull requests held at once (beyond it a pull is answered 2 SYSTEM_BUSY, which the
 *                        client retries after 1 s)
 * @param holdMsMax       longest a request is held, whatever its suspendTimeoutMillis (BrokerConfig
 *                        longPollHoldMsMax); keep it below the client's RPC timeout (30 s for push)
 * @param checkIntervalMs period of the timeout check; a held request is answered at most this late
 */
public record LongPollConfig(int heldRequestsMax, long holdMsMax, long checkIntervalMs) {
    public LongPollConfig {
        check(heldRequestsMax >= 1 && heldRequestsMax <= 1_000_000, "heldRequestsMax must be in [1, 1000000], got "
                + heldRequestsMax);
        check(holdMsMax >= 1 && holdMsMax <= 60_000, "holdMsMax must be in [1, 60000] ms, got " + holdMsMax);
        check(checkIntervalMs >= 1 && checkIntervalMs <= holdMsMax, "checkIntervalMs must be in [1, holdMsMax], got "
                + checkIntervalMs);
    }

    /** 10 000 held requests, 30 s hold limit, 100 ms timeout check. */
    public static LongPollConfig defaults() {
        return new LongPollConfig(10_000, 30_000, 100);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("LongPollConfig: " + message);
        }
    }
}
