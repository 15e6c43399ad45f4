package io.raftmq.commitlog;

import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.time.Clock;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Immutable configuration of one {@link CommitLog}, validated once at construction with messages naming the
 * setting. Every member of a Raft group must use the same {@link #segmentBytes()}: record positions (which the
 * {@link RecordStamper} writes into bodies) depend on it, and the log refuses to reopen with a different value.
 *
 * @param directory            where the log lives ({@code log/}, {@code index/}, {@code checkpoint})
 * @param segmentBytes         size of each preallocated segment file; multiple of 4096, in [64 KiB, 1 GiB]
 * @param recordBytesMax       largest record, header included; at most segmentBytes
 * @param writeBufferBytes     staging buffer for one append's records; at least recordBytesMax
 * @param indexUnitsPerSegment index units (32 bytes each) per index segment file
 * @param flushMode            SYNC (group commit), ASYNC (every flushIntervalMs) or MANUAL (no agent thread)
 * @param flushIntervalMs      ASYNC force period
 * @param checkpointIntervalMs how often the agent records a recovery checkpoint
 * @param durableWaitersMax    bound on outstanding durability waiters/callbacks
 * @param ioMode               CHANNEL or MAPPED access to segment files
 * @param retentionAgeMs       segments whose last record is older than this may be deleted
 * @param diskUsageRatioMax    above this used/total ratio of the device, old segments may be deleted
 * @param preallocateAheadBytes how far ahead of the write position a background agent writes real zeros and
 *                             creates the next segment early (CHANNEL mode, SYNC/ASYNC: it runs beside the flush
 *                             agent); 0 disables. Default: one segment. In [0, 2 * segmentBytes]
 * @param clock                the time port: timeouts, the flush agent's intervals, force statistics. Default
 *                             {@link Clock#SYSTEM}
 */
public record CommitLogConfig(Path directory, long segmentBytes, int recordBytesMax, int writeBufferBytes,
    int indexUnitsPerSegment, FlushMode flushMode, long flushIntervalMs, long checkpointIntervalMs,
    int durableWaitersMax, IoMode ioMode, long retentionAgeMs, double diskUsageRatioMax,
    long preallocateAheadBytes, Clock clock) {

    public static final long SEGMENT_BYTES_MIN = 64 * 1024;
    public static final long SEGMENT_BYTES_MAX = 1L << 30;

    public CommitLogConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(flushMode, "flushMode");
        Objects.requireNonNull(ioMode, "ioMode");
        Objects.requireNonNull(clock, "clock");
        check(segmentBytes >= SEGMENT_BYTES_MIN && segmentBytes <= SEGMENT_BYTES_MAX,
            "segmentBytes must be in [64 KiB, 1 GiB], got " + segmentBytes);
        check(segmentBytes % 4096 == 0, "segmentBytes must be a multiple of 4096, got " + segmentBytes);
        check(recordBytesMax > RecordHeader.HEADER_LENGTH,
            "recordBytesMax must exceed the 48-byte header, got " + recordBytesMax);
        check(recordBytesMax <= segmentBytes, "recordBytesMax (" + recordBytesMax
            + ") must not exceed segmentBytes (" + segmentBytes + ")");
        check(writeBufferBytes >= recordBytesMax, "writeBufferBytes (" + writeBufferBytes
            + ") must be at least recordBytesMax (" + recordBytesMax + ")");
        check(indexUnitsPerSegment >= 128 && indexUnitsPerSegment <= (1 << 24),
            "indexUnitsPerSegment must be in [128, 16M], got " + indexUnitsPerSegment);
        check(flushIntervalMs >= 1, "flushIntervalMs must be >= 1, got " + flushIntervalMs);
        check(checkpointIntervalMs >= 1, "checkpointIntervalMs must be >= 1, got " + checkpointIntervalMs);
        check(durableWaitersMax >= 1, "durableWaitersMax must be >= 1, got " + durableWaitersMax);
        check(retentionAgeMs >= 0, "retentionAgeMs must be >= 0, got " + retentionAgeMs);
        check(diskUsageRatioMax > 0 && diskUsageRatioMax <= 1,
            "diskUsageRatioMax must be in (0, 1], got " + diskUsageRatioMax);
        check(preallocateAheadBytes >= 0 && preallocateAheadBytes <= 2 * segmentBytes,
            "preallocateAheadBytes must be in [0, 2 * segmentBytes], got " + preallocateAheadBytes);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("CommitLogConfig: " + message);
        }
    }

    /**
     * Production defaults: 1 GiB segments, 4 MiB records, SYNC group commit over FileChannel, 72 h retention, the
     * next segment zero-filled in the background.
     */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** Builder with the production defaults; {@link #build()} validates. Control plane only. */
    public static final class Builder {
        private final Path directory;
        private long segmentBytes = SEGMENT_BYTES_MAX;
        private int recordBytesMax = 4 * 1024 * 1024;
        private int writeBufferBytes = 4 * 1024 * 1024;
        private int indexUnitsPerSegment = 1 << 20;
        private FlushMode flushMode = FlushMode.SYNC;
        private long flushIntervalMs = 200;
        private long checkpointIntervalMs = 1000;
        private int durableWaitersMax = 1 << 16;
        private IoMode ioMode = IoMode.CHANNEL;
        private long retentionAgeMs = 72L * 3600 * 1000;
        private double diskUsageRatioMax = 0.85;
        /** Negative: one segment (resolved in build()). */
        private long preallocateAheadBytes = -1;
        private Clock clock = Clock.SYSTEM;

        private Builder(Path directory) {
            this.directory = directory;
        }

        public Builder segmentBytes(long v) {
            segmentBytes = v;
            return this;
        }

        public Builder recordBytesMax(int v) {
            recordBytesMax = v;
            return this;
        }

        public Builder writeBufferBytes(int v) {
            writeBufferBytes = v;
            return this;
        }

        public Builder indexUnitsPerSegment(int v) {
            indexUnitsPerSegment = v;
            return this;
        }

        public Builder flushMode(FlushMode v) {
            flushMode = v;
            return this;
        }

        public Builder flushIntervalMs(long v) {
            flushIntervalMs = v;
            return this;
        }

        public Builder checkpointIntervalMs(long v) {
            checkpointIntervalMs = v;
            return this;
        }

        public Builder durableWaitersMax(int v) {
            durableWaitersMax = v;
            return this;
        }

        public Builder ioMode(IoMode v) {
            ioMode = v;
            return this;
        }

        public Builder retentionAgeMs(long v) {
            retentionAgeMs = v;
            return this;
        }

        public Builder diskUsageRatioMax(double v) {
            diskUsageRatioMax = v;
            return this;
        }

        /** Zero-fill window ahead of the writer (0 = off); default one segment. */
        public Builder preallocateAheadBytes(long v) {
            preallocateAheadBytes = v;
            return this;
        }

        /** The time port (tests and simulations pass a manual clock); default {@link Clock#SYSTEM}. */
        public Builder clock(Clock v) {
            clock = v;
            return this;
        }

        public CommitLogConfig build() {
            return new CommitLogConfig(directory, segmentBytes, recordBytesMax, writeBufferBytes,
                indexUnitsPerSegment, flushMode, flushIntervalMs, checkpointIntervalMs, durableWaitersMax, ioMode,
                retentionAgeMs, diskUsageRatioMax, preallocateAheadBytes < 0 ? segmentBytes : preallocateAheadBytes,
                clock);
        }
    }
}
