package io.raftmq.commitlog;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.flush.GroupCommit;
import io.raftmq.commitlog.index.IndexStore;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.segment.Segment;
import io.raftmq.commitlog.segment.SegmentList;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Rewinds the log: removes a suffix of records ({@link #truncateFrom}, Raft conflict resolution) or discards the
 * whole log and starts over at another index and position ({@link #resetTo}, snapshot install). Both are durable on
 * return: the removed bytes are zeroed, later segments deleted, the rest forced and a checkpoint written; both bump
 * the tail's epoch so a force snapshot taken before them is dropped, and tell the {@link RecordStamper}.
 *
 * <p>Thread-safety: any thread; holds both locks, so appends and forces wait meanwhile.
 */
final class LogTruncator {
    private final SegmentList segments;
    private final IndexStore index;
    private final LogWriter writer;
    private final LogReader reader;
    private final PublishedTail tail;
    private final LogForcer forcer;
    private final Checkpointer checkpointer;
    private final GroupCommit groupCommit;
    private final RecordStamper stamper;
    private final LogLocks locks;
    private final LogFence fence;

    LogTruncator(SegmentList segments, IndexStore index, LogWriter writer, LogReader reader, PublishedTail tail,
        LogForcer forcer, Checkpointer checkpointer, GroupCommit groupCommit, RecordStamper stamper, LogLocks locks,
        LogFence fence) {
        this.segments = segments;
        this.index = index;
        this.writer = writer;
        this.reader = reader;
        this.tail = tail;
        this.forcer = forcer;
        this.checkpointer = checkpointer;
        this.groupCommit = groupCommit;
        this.stamper = stamper;
        this.locks = locks;
        this.fence = fence;
    }

    /** See {@code CommitLog.truncateFrom}. */
    void truncateFrom(long from) {
        locks.lockBoth();
        try {
            fence.ensureUsable();
            Verify.argument(from >= tail.firstIndex() && from <= writer.nextIndex(), "truncateFrom index outside log");
            if (from == writer.nextIndex()) {
                return;
            }
            truncateLocked(from);
        } catch (IOException e) {
            throw fence.fence("truncateFrom " + from, e);
        } finally {
            tail.endChangeIfOpen();
            locks.unlockBoth();
        }
    }

    private void truncateLocked(long from) throws IOException {
        long first = reader.unit(from, true);
        ByteBuffer header = ByteBuffer.allocate(RecordHeader.HEADER_LENGTH);
        Segment firstSeg = segments.find(first);
        firstSeg.file().read(first - firstSeg.base(), header);
        Verify.state(RecordHeader.index(header, 0) == from, "index file disagrees with log", from,
            RecordHeader.index(header, 0));
        int prevCrc = RecordHeader.prevCrc(header, 0);
        long pos = resumePosition(from, first);
        Segment seg = segments.find(pos);
        checkpointer.writeBeforeTruncateLocked(pos, from, prevCrc);
        tail.beginChange();
        tail.setEnd(pos, from - 1);
        // From the end back: later segments first (last one first), then the truncation point's segment from its
        // end down to the point, so a kill at any step leaves a log whose valid records all lie before the zeros.
        segments.removeFrom(seg.end());
        if (!writer.zeroRange(pos, Math.min(Math.max(writer.writePosition(), first), seg.end()))) {
            throw new IOException("could not zero the truncated bytes from " + pos + " in " + seg);
        }
        index.removeFrom(from);
        writer.reset(pos, from, prevCrc);
        tail.bumpEpoch();
        tail.endChange();
        groupCommit.reset(pos);
        forcer.forceAllLocked();
        stamper.truncated(pos);
        checkpointer.writeLocked(false);
    }

    /**
     * Where the log continues after removing the records from {@code from} (whose record starts at {@code first}):
     * the end of record {@code from - 1}. That is {@code first}, unless {@code from} opened a segment because it did
     * not fit in the previous one's tail (closed by a filler): then the tail of the previous segment, so that the
     * next record is placed as on a replica that never held the removed one (a smaller record fits there). Record
     * positions must depend on the records alone: replicas stamp the same physical offsets (docs/storage.md).
     */
    private long resumePosition(long from, long first) throws IOException {
        if (from <= tail.firstIndex() || first != segments.baseOf(first)) {
            return first;
        }
        long prev = reader.unit(from - 1, true);
        Segment prevSeg = segments.find(prev);
        ByteBuffer header = ByteBuffer.allocate(RecordHeader.HEADER_LENGTH);
        prevSeg.file().read(prev - prevSeg.base(), header);
        long prevEnd = prev + RecordHeader.recordLength(header, 0);
        return prevEnd < first ? prevEnd : first;
    }

    /** See {@code CommitLog.resetTo}. */
    void resetTo(long nextIndex, long nextPosition, int prevCrc) {
        Verify.argument(nextIndex >= 0 && nextPosition >= 0, "resetTo needs index >= 0 and position >= 0");
        locks.lockBoth();
        try {
            fence.ensureUsable();
            long oldStart = tail.startPosition();
            checkpointer.writeBeforeResetLocked(nextPosition, nextIndex, prevCrc);
            tail.beginChange();
            tail.setEmpty(nextIndex, nextPosition);
            segments.removeFrom(Long.MIN_VALUE);
            index.removeAll();
            segments.getOrCreate(segments.baseOf(nextPosition));
            writer.reset(nextPosition, nextIndex, prevCrc);
            tail.bumpEpoch();
            tail.endChange();
            groupCommit.reset(nextPosition);
            forcer.resetForced(nextPosition, nextIndex, prevCrc);
            stamper.truncated(oldStart);
            checkpointer.writeLocked(false);
        } catch (IOException e) {
            throw LogFence.ioError("resetTo " + nextIndex, e);
        } finally {
            tail.endChangeIfOpen();
            locks.unlockBoth();
        }
    }
}
