package io.raftmq.broker.config;

import java.util.Set;
import java.util.TreeSet;

import static io.raftmq.broker.config.BrokerConfigValidator.fail;

/**
 * The checks of {@link BrokerConfigValidator} on sizes and storage: message, batch and pull limits against the frame
 * and commit log segment sizes, queue counts, snapshot interval and retention, and the retention settings with
 * RocketMQ's names (docs/snapshots.md "Retention"), whose {@code deleteWhen} hours it also parses for
 * {@link BrokerConfig}. Failures read {@code "<file>: <key>: <problem>"}.
 */
final class StorageChecks {
    /** A frame is at most 16 MiB (docs/protocol.md §1.2); a message must leave room for its headers. */
    private static final int MESSAGE_SIZE_LIMIT = 16 * 1024 * 1024 - 64 * 1024;
    /** Largest pullMessagesMax: the official client's own pullBatchSize limit. */
    private static final int PULL_MESSAGES_LIMIT = 1024;
    /** Room for record and message headers in a segment besides the largest body. */
    private static final long SEGMENT_HEADROOM_BYTES = 64 * 1024;
    private static final int QUEUE_NUMS_LIMIT = 1024;
    /** Snapshot interval bounds: at least 100 entries (a snapshot costs a full image), at most a billion. */
    private static final long SNAPSHOT_INTERVAL_MIN = 100;
    private static final long SNAPSHOT_INTERVAL_MAX = 1_000_000_000L;
    private static final int SNAPSHOT_RETAIN_MAX = 100;
    /** Shortest pause between two retention runs. */
    private static final long CLEAN_INTERVAL_MS_MIN = 10;

    private StorageChecks() {
    }

    static void checkSizes(BrokerConfig c, String source) throws BrokerConfigException {
        if (c.messageSizeMax() > MESSAGE_SIZE_LIMIT) {
            throw fail(source, "messageSizeMax", "must be <= " + MESSAGE_SIZE_LIMIT
                    + " (a frame is at most 16 MiB), got " + c.messageSizeMax());
        }
        if (c.commitLogSegmentBytes() < c.messageSizeMax() + SEGMENT_HEADROOM_BYTES) {
            throw fail(source, "commitLogSegmentBytes", "must be >= messageSizeMax + " + SEGMENT_HEADROOM_BYTES
                    + " (" + (c.messageSizeMax() + SEGMENT_HEADROOM_BYTES) + "), got " + c.commitLogSegmentBytes());
        }
        if (c.defaultTopicQueueNums() > QUEUE_NUMS_LIMIT) {
            throw fail(source, "defaultTopicQueueNums", "must be <= " + QUEUE_NUMS_LIMIT + ", got "
                    + c.defaultTopicQueueNums());
        }
        if (c.offsetPendingQueuesMax() < c.offsetBatchUpdatesMax()) {
            throw fail(source, "offsetPendingQueuesMax", "must be >= offsetBatchUpdatesMax ("
                    + c.offsetBatchUpdatesMax() + "), got " + c.offsetPendingQueuesMax());
        }
    }

    static void checkSendLimits(BrokerConfig c, String source) throws BrokerConfigException {
        if (c.sendBatchBytesMax() > MESSAGE_SIZE_LIMIT) {
            throw fail(source, "sendBatchBytesMax", "must be <= " + MESSAGE_SIZE_LIMIT + ", got "
                    + c.sendBatchBytesMax());
        }
        if (c.sendBatchBytesMax() > c.commitLogSegmentBytes() - SEGMENT_HEADROOM_BYTES) {
            throw fail(source, "sendBatchBytesMax", "must leave " + SEGMENT_HEADROOM_BYTES
                    + " bytes of a commit log segment free (commitLogSegmentBytes " + c.commitLogSegmentBytes()
                    + "), got " + c.sendBatchBytesMax());
        }
        if (c.pullMessagesMax() > PULL_MESSAGES_LIMIT) {
            throw fail(source, "pullMessagesMax", "must be <= " + PULL_MESSAGES_LIMIT + ", got " + c.pullMessagesMax());
        }
        if (c.pullBytesMax() > MESSAGE_SIZE_LIMIT) {
            throw fail(source, "pullBytesMax", "must be <= " + MESSAGE_SIZE_LIMIT
                    + " (a pull answer must fit a 16 MiB frame), got " + c.pullBytesMax());
        }
        if (c.sendPendingMax() < c.sendBatchMessagesMax()) {
            throw fail(source, "sendPendingMax", "must be >= sendBatchMessagesMax (" + c.sendBatchMessagesMax()
                    + "), got " + c.sendPendingMax());
        }
    }

    static void checkSnapshots(BrokerConfig c, String source) throws BrokerConfigException {
        long interval = c.snapshotIntervalEntries();
        if (interval < SNAPSHOT_INTERVAL_MIN || interval > SNAPSHOT_INTERVAL_MAX) {
            throw fail(source, "snapshotIntervalEntries", "must be in [" + SNAPSHOT_INTERVAL_MIN + ", "
                + SNAPSHOT_INTERVAL_MAX + "], got " + c.snapshotIntervalEntries());
        }
        if (c.snapshotRetainCount() < 1 || c.snapshotRetainCount() > SNAPSHOT_RETAIN_MAX) {
            throw fail(source, "snapshotRetainCount", "must be in [1, " + SNAPSHOT_RETAIN_MAX + "], got "
                + c.snapshotRetainCount());
        }
    }

    /** Retention settings (docs/snapshots.md "Retention"), RocketMQ's names and meanings. */
    static void checkRetention(BrokerConfig c, String source) throws BrokerConfigException {
        if (c.fileReservedTime() < 1) {
            throw fail(source, "fileReservedTime", "must be at least 1 (hours), got " + c.fileReservedTime());
        }
        parseDeleteWhen(source, c.deleteWhen());
        checkPercent(source, "diskMaxUsedSpaceRatio", c.diskMaxUsedSpaceRatio());
        checkPercent(source, "diskSpaceCleanForciblyRatio", c.diskSpaceCleanForciblyRatio());
        checkPercent(source, "diskSpaceWarningLevelRatio", c.diskSpaceWarningLevelRatio());
        if (c.diskSpaceCleanForciblyRatio() < c.diskMaxUsedSpaceRatio()) {
            throw fail(source, "diskSpaceCleanForciblyRatio", "must be >= diskMaxUsedSpaceRatio ("
                + c.diskMaxUsedSpaceRatio() + "), got " + c.diskSpaceCleanForciblyRatio());
        }
        if (c.diskSpaceWarningLevelRatio() < c.diskSpaceCleanForciblyRatio()) {
            throw fail(source, "diskSpaceWarningLevelRatio", "must be >= diskSpaceCleanForciblyRatio ("
                + c.diskSpaceCleanForciblyRatio() + "), got " + c.diskSpaceWarningLevelRatio());
        }
        if (c.cleanResourceInterval() < CLEAN_INTERVAL_MS_MIN) {
            throw fail(source, "cleanResourceInterval", "must be at least " + CLEAN_INTERVAL_MS_MIN
                + " (milliseconds), got " + c.cleanResourceInterval());
        }
    }

    private static void checkPercent(String source, String key, int v) throws BrokerConfigException {
        if (v < 1 || v > 99) {
            throw fail(source, key, "must be a percentage in [1, 99], got " + v);
        }
    }

    /**
     * The hours of {@code deleteWhen}: {@code HH} (0..23) separated by ';', e.g. "04" or "01;04" (RocketMQ's format).
     *
     * @throws BrokerConfigException naming the key when a part is not an hour
     */
    static Set<Integer> parseDeleteWhen(String source, String raw) throws BrokerConfigException {
        Set<Integer> hours = new TreeSet<>();
        for (String part : raw.split(";")) {
            String h = part.trim();
            if (h.isEmpty()) {
                continue;
            }
            int v;
            try {
                v = Integer.parseInt(h);
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0 || v > 23) {
                throw fail(source, "deleteWhen", "must list hours 00..23 separated by ';' (e.g. 04 or 01;04), got '"
                    + raw + "'");
            }
            hours.add(v);
        }
        if (hours.isEmpty()) {
            throw fail(source, "deleteWhen", "must list at least one hour 00..23 (e.g. 04), got '" + raw + "'");
        }
        return hours;
    }
}
