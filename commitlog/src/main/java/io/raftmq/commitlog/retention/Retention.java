package io.raftmq.commitlog.retention;

/**
 * Retention policy: decides whether the oldest segment may go. The log applies it oldest-first, one whole segment
 * (with its index segments) at a time, and stops at the first segment that must stay; the caller-given floor index
 * and the active segment are checked by the log itself. Pure: no I/O, no clock (the caller passes nowMs).
 */
public final class Retention {
    private final long retentionAgeMs;
    private final double diskUsageRatioMax;

    public Retention(long retentionAgeMs, double diskUsageRatioMax) {
        this.retentionAgeMs = retentionAgeMs;
        this.diskUsageRatioMax = diskUsageRatioMax;
    }

    /**
     * @param lastRecordTimestampMs store timestamp of the segment's last record (Long.MIN_VALUE if it holds none)
     * @param nowMs                 the caller's clock
     * @param usageRatio            current used/total ratio of the device
     * @return true if the segment is older than retentionAgeMs or the device is fuller than diskUsageRatioMax
     */
    public boolean shouldDelete(long lastRecordTimestampMs, long nowMs, double usageRatio) {
        boolean expired = lastRecordTimestampMs == Long.MIN_VALUE || nowMs - lastRecordTimestampMs > retentionAgeMs;
        return expired || usageRatio > diskUsageRatioMax;
    }
}
