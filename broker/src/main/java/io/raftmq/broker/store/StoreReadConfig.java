package io.raftmq.broker.store;

/**
 * Limits of the broker's store reads ({@link BrokerStore}), validated once. A pull answers at most
 * {@code pullMessagesMax} messages and {@code pullBytesMax} bytes (docs/protocol.md §6 step 6: 32 / 256 KiB by
 * default); the byte cap is always below {@link #PULL_BYTES_HARD_MAX} so a response frame stays under the 16 MiB frame
 * limit of the official client. A single message larger than the byte cap is still returned alone (RocketMQ does the
 * same), which is safe because a CommitLog record, and so a message, is at most the log's recordBytesMax (4 MiB).
 *
 * @param pullMessagesMax        messages per pull response (requests asking for more are capped)
 * @param pullBytesMax           body bytes per pull response (requests asking for more are capped)
 * @param pullScanUnitsMax       ConsumeQueue units one pull scans while tag filtering before it answers
 * @param readContextsPooledMax  reusable read contexts kept (each a few KiB of heap plus 20 bytes per message
 *                               of pullMessagesMax)
 * @param queryMessagesMax       messages per QUERY_MESSAGE answer for key queries (RocketMQ 64)
 * @param uniqKeyQueryMessagesMax messages per QUERY_MESSAGE answer for unique-key queries (RocketMQ 32)
 */
public record StoreReadConfig(int pullMessagesMax, int pullBytesMax, int pullScanUnitsMax,
                              int readContextsPooledMax, int queryMessagesMax, int uniqKeyQueryMessagesMax) {
    /** Hard upper bound of a pull body: 16 MiB frame limit minus 64 KiB of room for the header. */
    public static final int PULL_BYTES_HARD_MAX = 16 * 1024 * 1024 - 64 * 1024;

    public StoreReadConfig {
        check(pullMessagesMax >= 1 && pullMessagesMax <= 1024, "pullMessagesMax must be in [1, 1024], got "
                + pullMessagesMax);
        check(pullBytesMax >= 1 && pullBytesMax <= PULL_BYTES_HARD_MAX, "pullBytesMax must be in [1, "
                + PULL_BYTES_HARD_MAX + "], got " + pullBytesMax);
        check(pullScanUnitsMax >= pullMessagesMax, "pullScanUnitsMax (" + pullScanUnitsMax
                + ") must be at least pullMessagesMax (" + pullMessagesMax + ")");
        check(readContextsPooledMax >= 0 && readContextsPooledMax <= 256,
                "readContextsPooledMax must be in [0, 256], got " + readContextsPooledMax);
        check(queryMessagesMax >= 1 && queryMessagesMax <= 1024, "queryMessagesMax must be in [1, 1024], got "
                + queryMessagesMax);
        check(uniqKeyQueryMessagesMax >= 1 && uniqKeyQueryMessagesMax <= queryMessagesMax,
                "uniqKeyQueryMessagesMax must be in [1, queryMessagesMax], got " + uniqKeyQueryMessagesMax);
    }

    /** RocketMQ-like defaults: 32 messages / 256 KiB per pull, 16 000 units scanned. */
    public static StoreReadConfig defaults() {
        return new StoreReadConfig(32, 256 * 1024, 16_000, 4, 64, 32);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("StoreReadConfig: " + message);
        }
    }
}
