package io.raftmq.commitlog;

import io.raftmq.commitlog.flush.GroupCommit;
import io.raftmq.commitlog.segment.Segment;
import io.raftmq.commitlog.segment.SegmentList;
import io.raftmq.commitlog.time.Clock;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One force of the log: forces the segments holding [durable position, published tail), remembers that tail as the
 * last force snapshot (what a checkpoint records) and advances {@link GroupCommit}'s durable position, which wakes
 * the waiters it covers. A snapshot made stale by a truncation or reset (the tail's epoch moved) is dropped; a failed
 * force fences the log. Counts forces and the time spent in them, and tells an optional {@link ForceObserver} each
 * force's records and duration.
 *
 * <p>Thread-safety: {@link #forcePending()} from any thread (flush agent, {@code flush()}); everything else, and the
 * force snapshot, under the force lock. Statistics are written under the force lock and read racily.
 */
final class LogForcer {
    private final SegmentList segments;
    private final GroupCommit groupCommit;
    private final PublishedTail tail;
    private final LogWriter writer;
    private final ReentrantLock forceLock;
    private final LogFence fence;
    private final Clock clock;

    // Last force snapshot (guarded by forceLock): all log bytes before forcedPosition are durable.
    private long forcedPosition;
    private long forcedNextIndex;
    private int forcedPrevCrc;
    private volatile long forceCount;
    private volatile long forceNanos;
    private volatile ForceObserver observer;

    LogForcer(SegmentList segments, GroupCommit groupCommit, PublishedTail tail, LogWriter writer,
        ReentrantLock forceLock, LogFence fence, Clock clock) {
        this.segments = segments;
        this.groupCommit = groupCommit;
        this.tail = tail;
        this.writer = writer;
        this.forceLock = forceLock;
        this.fence = fence;
        this.clock = clock;
    }

    /** Forces what was appended so far (the tail's lock-free snapshot) and advances the durable position. */
    void forcePending() {
        forceTo(tail.snapshot());
    }

    /** Forces [durable, snapshot) unless the snapshot is stale or the log failed; fences on an I/O error. */
    void forceTo(PublishedTail.Snapshot snap) {
        forceLock.lock();
        try {
            long from = groupCommit.durablePosition();
            if (groupCommit.failure() != null || snap.epoch() != tail.epoch() || snap.position() <= from) {
                return;
            }
            long t0 = clock.nanoTime();
            forceSegments(from, snap.position());
            long nanos = clock.nanoTime() - t0;
            forceNanos += nanos;
            forceCount++;
            ForceObserver o = observer;
            if (o != null) {
                o.forced(Math.max(0, snap.nextIndex() - forcedNextIndex), nanos);
            }
            forcedPosition = snap.position();
            forcedNextIndex = snap.nextIndex();
            forcedPrevCrc = snap.crc();
            groupCommit.advance(snap.position());
        } catch (IOException e) {
            fence.fence("force", e);
        } finally {
            forceLock.unlock();
        }
    }

    /** Forces everything the writer wrote (caller holds both locks). */
    void forceAllLocked() throws IOException {
        forceSegments(Math.min(groupCommit.durablePosition(), writer.writePosition()), Long.MAX_VALUE);
        forcedPosition = writer.writePosition();
        forcedNextIndex = writer.nextIndex();
        forcedPrevCrc = writer.lastCrc();
        if (writer.writePosition() > groupCommit.durablePosition()) {
            groupCommit.advance(writer.writePosition());
        }
    }

    /**
     * Forces every segment file without moving the force snapshot or the durable position (both locks held): what a
     * truncation needs before its checkpoint (the bytes before the point durable) while the bytes after it, about to
     * be removed, must not be reported durable to anyone waiting.
     */
    void forceFilesLocked() throws IOException {
        forceSegments(Math.min(groupCommit.durablePosition(), forcedPosition), Long.MAX_VALUE);
    }

    /**
     * Sets the force snapshot and durable position to a tail known to be durable (recovery, reset). Caller holds the
     * force lock.
     */
    void resetForced(long position, long nextIndex, int prevCrc) {
        forcedPosition = position;
        forcedNextIndex = nextIndex;
        forcedPrevCrc = prevCrc;
        groupCommit.advance(position);
    }

    private void forceSegments(long from, long to) throws IOException {
        for (Segment seg : segments.all()) {
            if (seg.end() > from && seg.base() < to && seg.retain()) {
                try {
                    seg.file().force();
                } finally {
                    seg.release();
                }
            }
        }
    }

    /** End of the last force snapshot. Caller holds the force lock. */
    long forcedPosition() {
        return forcedPosition;
    }

    /** Index of the record after the last force snapshot. Caller holds the force lock. */
    long forcedNextIndex() {
        return forcedNextIndex;
    }

    /** Crc the record after the last force snapshot links to. Caller holds the force lock. */
    int forcedPrevCrc() {
        return forcedPrevCrc;
    }

    /** Tells {@code o} (null: nobody) of every later force, under the force lock. Any thread. */
    void observe(ForceObserver o) {
        observer = o;
    }

    /** Forces done so far. Any thread, racy. */
    long forceCount() {
        return forceCount;
    }

    /** Nanoseconds spent in forces so far. Any thread, racy. */
    long forceNanos() {
        return forceNanos;
    }
}
