package io.raftmq.commitlog;

import io.raftmq.commitlog.error.Verify;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The tail of the log as the lock-free side sees it: what readers may read (start, readable end, first and last
 * index) and the snapshot the flush path forces to (readable end, next index, crc chain, epoch), published by the
 * holder of the append lock after {@link LogWriter} changed the files. The force snapshot is guarded by a sequence
 * lock, so the flush path reads a consistent one without taking the contended append lock.
 *
 * <p>Thread-safety: getters and {@link #snapshot()} from any thread; every setter and {@link #beginChange()} /
 * {@link #endChange()} pair by the holder of the append lock only. Invariants: startPosition <= readablePosition;
 * lastIndex == firstIndex - 1 when the log is empty; the sequence is even outside a change.
 */
final class PublishedTail {
    private final LogWriter writer;
    private final ReentrantLock appendLock;

    /**
     * Bumped (under both locks) by truncation and reset, so a force snapshot taken before one is discarded.
     * Invariant: every byte below the durable position is forced, and earlier segments than the one holding the
     * write position are entirely forced (see LogWriter's roll), so forcing [durable, readable) covers all unforced
     * data.
     */
    private volatile long epoch;
    /** Odd while a holder of the append lock changes (readablePosition, nextIndex, crc, epoch). */
    private volatile long seq;
    private volatile long nextIndex;
    private volatile int crc;

    private volatile long readablePosition;
    private volatile long lastIndex;
    private volatile long firstIndex;
    private volatile long startPosition;

    /** The force snapshot: force the log to {@code position}; the next record gets nextIndex and links to crc. */
    record Snapshot(long position, long nextIndex, int crc, long epoch) {
    }

    PublishedTail(LogWriter writer, ReentrantLock appendLock) {
        this.writer = writer;
        this.appendLock = appendLock;
    }

    /** End of the last readable record. Any thread. */
    long readablePosition() {
        return readablePosition;
    }

    long lastIndex() {
        return lastIndex;
    }

    long firstIndex() {
        return firstIndex;
    }

    long startPosition() {
        return startPosition;
    }

    long epoch() {
        return epoch;
    }

    /**
     * Caller holds the append lock: publishes the writer's new records to readers and to the force snapshot. The
     * readable end moves before the last index, so a reader that sees a record's index can read the record
     * (RecentBytesTest, seed 19, saw the index first and read nothing at its position).
     */
    void publish() {
        beginChange();
        readablePosition = writer.writePosition();
        lastIndex = writer.nextIndex() - 1;
        endChange();
    }

    /** Caller holds the append lock; pairs with {@link #endChange()}. */
    void beginChange() {
        seq = seq + 1;
    }

    /** Caller holds the append lock: publishes the writer's tail to the force snapshot and closes the change. */
    void endChange() {
        nextIndex = writer.nextIndex();
        crc = writer.lastCrc();
        seq = seq + 1;
        Verify.state((seq & 1) == 0, "unpaired tail change", seq);
    }

    /** Caller holds the append lock: closes a change that an exception interrupted. */
    void endChangeIfOpen() {
        if ((seq & 1) != 0) {
            endChange();
        }
    }

    /**
     * Caller holds the append lock, inside a change (or before the log is shared): the log now ends here (a
     * truncation, or the end recovery found). A read racing a truncation of its range may fail either way
     * ({@link CommitLog#read}).
     */
    void setEnd(long position, long last) {
        lastIndex = last;
        readablePosition = position;
    }

    /** Caller holds the append lock, inside a change: the log is empty, the next record gets first at position. */
    void setEmpty(long first, long position) {
        lastIndex = first - 1;
        firstIndex = first;
        startPosition = position;
        readablePosition = position;
    }

    /** Caller holds the append lock (retention, reset, recovery): the log now starts here. */
    void setStart(long position, long first) {
        startPosition = position;
        firstIndex = first;
    }

    /** Caller holds both locks, inside a change: truncation or reset invalidates earlier force snapshots. */
    void bumpEpoch() {
        epoch++;
    }

    /**
     * The force snapshot, read lock-free through the sequence lock; under the append lock only while a change is in
     * progress. Any thread.
     */
    Snapshot snapshot() {
        long s = seq;
        long target = readablePosition;
        long snapIndex = nextIndex;
        int snapCrc = crc;
        long snapEpoch = epoch;
        if ((s & 1) == 0 && s == seq) {
            return new Snapshot(target, snapIndex, snapCrc, snapEpoch);
        }
        appendLock.lock();
        try {
            return snapshotLocked();
        } finally {
            appendLock.unlock();
        }
    }

    /** The force snapshot; caller holds the append lock. */
    Snapshot snapshotLocked() {
        return new Snapshot(readablePosition, lastIndex + 1, writer.lastCrc(), epoch);
    }
}
