package io.raftmq.commitlog.dispatch;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the derived data, validated once. Directory layout under {@code directory}:
 * {@code consumequeue/<topic>/<queueId>/}, {@code index/}, {@code dispatch.checkpoint}.
 *
 * @param directory                root of the derived data
 * @param messageRecordType        CommitLog record type whose body holds stored messages; others are skipped
 * @param consumeQueueUnitsPerFile ConsumeQueue units per segment file (RocketMQ: 300 000)
 * @param indexSlotCount           hash slots per index file (RocketMQ: 5 000 000)
 * @param indexEntryCount          entries per index file, including the unused entry 0 (RocketMQ: 20 000 000)
 * @param checkpointIntervalBytes  dispatch progress after which {@code dispatchUpTo} also checkpoints
 * @param readChunkBytes           bytes read from the log per chunk (raised to the log's recordBytesMax)
 */
public record DispatchConfig(Path directory, byte messageRecordType, int consumeQueueUnitsPerFile,
                             int indexSlotCount, int indexEntryCount, long checkpointIntervalBytes,
                             int readChunkBytes) {
    /** Record type used for message records unless configured otherwise. */
    public static final byte DEFAULT_MESSAGE_RECORD_TYPE = 1;

    public DispatchConfig {
        Objects.requireNonNull(directory, "directory");
        check(consumeQueueUnitsPerFile > 0, "consumeQueueUnitsPerFile must be positive");
        check(indexSlotCount > 0, "indexSlotCount must be positive");
        check(indexEntryCount > 1, "indexEntryCount must be at least 2");
        check(40L + 4L * indexSlotCount + 20L * indexEntryCount <= Integer.MAX_VALUE,
                "an index file (40 + 4 * slots + 20 * entries bytes) must stay below 2 GiB");
        check(checkpointIntervalBytes > 0, "checkpointIntervalBytes must be positive");
        check(readChunkBytes > 0, "readChunkBytes must be positive");
        check(messageRecordType != (byte) 0xFF, "record type 0xFF is the CommitLog's filler");
    }

    /** RocketMQ-sized defaults (300 000 units per CQ file; 5M slots, 20M entries per index file). */
    public static DispatchConfig defaults(Path directory) {
        return new DispatchConfig(directory, DEFAULT_MESSAGE_RECORD_TYPE, 300_000, 5_000_000, 20_000_000,
                64L * 1024 * 1024, 4 * 1024 * 1024);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("DispatchConfig: " + message);
        }
    }
}
