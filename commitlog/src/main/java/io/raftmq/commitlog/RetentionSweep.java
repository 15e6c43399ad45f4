package io.raftmq.commitlog;

import io.raftmq.commitlog.index.IndexStore;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.commitlog.error.LogTruncatedException;
import io.raftmq.commitlog.retention.Retention;
import io.raftmq.commitlog.retention.SegmentSpan;
import io.raftmq.commitlog.segment.Segment;
import io.raftmq.commitlog.segment.SegmentList;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention loop: deletes whole old segments (with their index segments), oldest first, while the
 * {@link Retention} policy says the oldest may go (or, for a caller that decided itself, every segment below its
 * index), never one holding a record at or above the caller's floor index and never the active segment; then moves
 * the log start and records a checkpoint. Also lists the sealed segments ({@link SegmentSpan}) for such callers.
 *
 * <p>Thread-safety: any thread; deletions hold both locks, so they are serialized with appends, truncation and
 * forces; the listing takes no lock.
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
        return sweep(floorIndex, (nextFirst, lastTs) -> policy.shouldDelete(lastTs, nowMs,
            storage.usageRatio(segments.dir())));
    }

    /** See {@code CommitLog.deleteSegmentsBefore}; returns the number of segments deleted. */
    int deleteBefore(long keepIndex) {
        return sweep(keepIndex, (nextFirst, lastTs) -> true);
    }

    /** Sealed segments oldest first, at most {@code max} (lock-free: a racing deletion shortens the list). */
    List<SegmentSpan> sealed(int max) {
        List<SegmentSpan> out = new ArrayList<>();
        Segment[] segs = segments.all();
        long first = tail.firstIndex();
        for (int i = 0; i + 1 < segs.length && out.size() < max; i++) {
            long nextFirst = reader.indexAt(segs[i + 1].base());
            if (nextFirst < 0 || nextFirst < first) {
                break; // removed or rewritten meanwhile
            }
            long lastTs = nextFirst - 1 >= first ? timestampOrMin(nextFirst - 1) : Long.MIN_VALUE;
            out.add(new SegmentSpan(segs[i].base(), first, nextFirst - 1, lastTs, segs[i].capacity()));
            first = nextFirst;
        }
        return out;
    }

    private long timestampOrMin(long index) {
        try {
            return reader.timestampOf(index);
        } catch (LogTruncatedException | IllegalStateException e) {
            if (index >= tail.firstIndex()) {
                throw e;
            }
            return Long.MIN_VALUE; // deleted meanwhile: the caller's next look sees the new start
        }
    }

    /**
     * Deletes segments oldest first while the next segment starts at or below {@code floorIndex} (so no record at or
     * above it goes), is not the active one, and {@code mayDelete} agrees; then moves the start and checkpoints.
     */
    private int sweep(long floorIndex, MayDelete mayDelete) {
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
                if (!mayDelete.test(nextFirst, lastTs)) {
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

    /** Whether the oldest segment may go, given the next one's first index and its own last record's time. */
    @FunctionalInterface
    private interface MayDelete {
        boolean test(long nextFirstIndex, long lastTimestampMs) throws IOException;
    }
}
