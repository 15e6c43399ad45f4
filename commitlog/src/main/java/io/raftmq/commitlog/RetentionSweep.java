package io.raftmq.commitlog;

import io.raftmq.commitlog.index.IndexStore;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.commitlog.retention.Retention;
import io.raftmq.commitlog.segment.Segment;
import io.raftmq.commitlog.segment.SegmentList;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention loop: deletes whole old segments (with their index segments), oldest first, while the
 * {@link Retention} policy says the oldest may go, never one holding a record at or above the caller's floor index
 * and never the active segment; then moves the log start and records a checkpoint.
 *
 * <p>Thread-safety: any thread; holds both locks, so it is serialized with appends, truncation and forces.
 */
final class RetentionSweep {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionSweep.class);
    private final Retention policy;
    private final Path directory;
    private final StorageProvider storage;
    private final SegmentList segments;
    private final IndexStore index;
    private final LogWriter writer;
    private final LogReader reader;
    private final PublishedTail tail;
    private final Checkpointer checkpointer;
    private final LogLocks locks;
    private final LogFence fence;

    RetentionSweep(CommitLogConfig config, StorageProvider storage, SegmentList segments, IndexStore index,
        LogWriter writer, LogReader reader, PublishedTail tail, Checkpointer checkpointer, LogLocks locks,
        LogFence fence) {
        this.policy = new Retention(config.retentionAgeMs(), config.diskUsageRatioMax());
        this.directory = config.directory();
        this.storage = storage;
        this.segments = segments;
        this.index = index;
        this.writer = writer;
        this.reader = reader;
        this.tail = tail;
        this.checkpointer = checkpointer;
        this.locks = locks;
        this.fence = fence;
    }

    /** See {@code CommitLog.deleteExpired}; returns the number of segments deleted. */
    int deleteExpired(long floorIndex, long nowMs) {
        locks.lockBoth();
        try {
            fence.ensureUsable();
            int deleted = 0;
            for (Segment[] segs = segments.all(); segs.length >= 2; segs = segments.all()) {
                long nextFirst = reader.indexAt(segs[1].base());
                if (nextFirst < 0 || nextFirst > Math.min(floorIndex, writer.nextIndex())) {
                    break;
                }
                long lastTs = nextFirst - 1 >= tail.firstIndex() ? reader.timestampOf(nextFirst - 1) : Long.MIN_VALUE;
                if (!policy.shouldDelete(lastTs, nowMs, storage.usageRatio(segments.dir()))) {
                    break;
                }
                tail.setStart(segs[1].base(), nextFirst);
                segments.removeBefore(segs[1].base());
                index.removeBefore(nextFirst);
                deleted++;
            }
            if (deleted > 0) {
                checkpointer.writeLocked(false);
                LOG.info("retention deleted {} segment(s) of {}; log now starts at {} (index {})", deleted,
                    directory, tail.startPosition(), tail.firstIndex());
            }
            return deleted;
        } catch (IOException e) {
            throw LogFence.ioError("retention", e);
        } finally {
            locks.unlockBoth();
        }
    }
}
