package io.raftmq.broker.retention;

import io.raftmq.broker.config.BrokerConfig;

import java.time.ZoneId;
import java.util.Set;

/**
 * The retention settings of one broker, from {@link BrokerConfig} (RocketMQ's names; see there for meanings), with
 * ratios as fractions and the time zone in which {@code deleteWhen} hours are read.
 *
 * @param reservedMs           a segment expires once its newest record is older than this
 * @param deleteHours          hours of the day (0..23) at which expired segments are deleted
 * @param zone                 time zone of those hours
 * @param maxUsedRatio         above it: expired segments go at any hour; live followers are not waited for
 * @param forciblyRatio        above it: the oldest segments go even if not expired
 * @param warningRatio         above it: producers' sends are refused ({@link DiskFullGuard})
 * @param intervalMs           pause between two runs
 * @param segmentsPerRunMax    segments deleted per run at most (expired)
 * @param followerSilentMsMax  a leader waits for followers heard from within this long
 */
public record RetentionSettings(long reservedMs, Set<Integer> deleteHours, ZoneId zone, double maxUsedRatio,
                                double forciblyRatio, double warningRatio, long intervalMs, int segmentsPerRunMax,
                                long followerSilentMsMax) {
    /** Segments deleted per run at most when the disk is above the forcibly ratio and they have not expired. */
    public static final int FORCED_SEGMENTS_PER_RUN_MAX = 2;

    public RetentionSettings {
        deleteHours = Set.copyOf(deleteHours);
        if (reservedMs < 1 || intervalMs < 1 || segmentsPerRunMax < 1 || followerSilentMsMax < 1) {
            throw new IllegalArgumentException("retention durations and limits must be >= 1");
        }
        if (!(maxUsedRatio <= forciblyRatio && forciblyRatio <= warningRatio && warningRatio < 1)) {
            throw new IllegalArgumentException("retention ratios must satisfy max used <= forcibly <= warning < 1");
        }
    }

    /** The broker's settings, hours read in {@code zone}. */
    public static RetentionSettings from(BrokerConfig c, ZoneId zone) {
        return new RetentionSettings(c.fileReservedMs(), c.deleteWhenHours(), zone, c.diskMaxUsedSpaceRatio() / 100.0,
            c.diskSpaceCleanForciblyRatio() / 100.0, c.diskSpaceWarningLevelRatio() / 100.0,
            c.cleanResourceInterval(), c.deleteFileBatchMax(), c.retentionFollowerSilentMsMax());
    }
}
