package io.raftmq.broker.store;

import io.raftmq.client.protocol.Verify;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.LogTruncatedException;

import java.nio.ByteBuffer;

/**
 * Reads stored messages by physical offset through the CommitLog's public API (stop-gap until the CommitLog has a
 * raw positional read): a ConsumeQueue unit or an offset msgId gives a message's absolute position P and size,
 * but the CommitLog only copies whole records from a record start. So the window finds the record containing P
 * (binary search of {@code position(index)} over the raft indices, starting from the last record found when P
 * moves forward), copies that record plus up to {@code readAheadBytes} of the following records into a reused heap
 * buffer (CRC-checked by the CommitLog), and answers P's offset inside the buffer. Consecutive messages of a pull
 * that fall in the same window cost no further read.
 *
 * <p>Buffer: {@link #buffer()} is owned by this window and valid until the next {@link #locate} or {@link #reset};
 * callers copy out of it. Capacity is {@code recordBytesMax + readAheadBytes}, so any record fits.
 *
 * <p>Not thread-safe: one window per reading thread at a time (pooled by {@link BrokerStore}).
 */
final class LogWindow {
    private final CommitLog log;
    private final ByteBuffer buffer;
    private final int readAheadBytes;
    /** Log position of buffer[0]; the window holds log bytes [windowPosition, windowPosition + windowLength). */
    private long windowPosition;
    private int windowLength;
    /** Raft index of the first record in the window, or -1. */
    private long windowIndex = -1;

    LogWindow(CommitLog log, int readAheadBytes) {
        this.log = log;
        this.readAheadBytes = readAheadBytes;
        this.buffer = ByteBuffer.allocate(log.config().recordBytesMax() + readAheadBytes);
    }

    /** The window's bytes (absolute offsets as returned by {@link #locate}). */
    ByteBuffer buffer() {
        return buffer;
    }

    /** Bytes of the window available from buffer offset {@code at}. */
    int available(int at) {
        return windowLength - at;
    }

    /** Forgets the window (call at the start of each request: no bytes are served from an older read). */
    void reset() {
        windowLength = 0;
        windowIndex = -1;
    }

    /**
     * Makes log bytes [phys, phys + size) readable in {@link #buffer()} and returns their offset there, or -1 if
     * they are not inside one record of the retained log (below the log start after retention, beyond the readable
     * end, or crossing a record boundary, e.g. a bogus offset from a client).
     *
     * @throws io.raftmq.commitlog.CorruptLogException a record fails its CRC
     */
    int locate(long phys, int size) {
        Verify.argument(size > 0, "size must be positive");
        if (windowLength > 0 && phys >= windowPosition && phys + size <= windowPosition + windowLength) {
            return (int) (phys - windowPosition);
        }
        try {
            return load(phys, size);
        } catch (LogTruncatedException e) {
            reset();
            return -1;
        }
    }

    private int load(long phys, int size) {
        if (phys < log.startPosition() || phys + size > log.endPosition() || log.lastIndex() < log.firstIndex()) {
            return -1;
        }
        long index = recordIndexAt(phys);
        long recordPosition = log.position(index);
        long recordEnd = index < log.lastIndex() ? log.position(index + 1) : log.endPosition();
        if (phys + size > recordEnd) {
            return -1;
        }
        long want = Math.min(buffer.capacity(), Math.max(readAheadBytes, recordEnd - recordPosition));
        buffer.clear().limit((int) want);
        long first = log.read(recordPosition, buffer);
        Verify.state(first == recordPosition, "CommitLog read did not start at the record", first, recordPosition);
        windowPosition = recordPosition;
        windowLength = buffer.position();
        windowIndex = index;
        buffer.clear();
        if (phys + size > windowPosition + windowLength) {
            return -1; // inside the record's trailing filler
        }
        return (int) (phys - windowPosition);
    }

    /** The largest raft index whose record starts at or before {@code phys} (phys >= log start). */
    private long recordIndexAt(long phys) {
        long lo = log.firstIndex();
        long hi = log.lastIndex();
        if (windowIndex >= lo && windowIndex <= hi && windowPosition <= phys) {
            lo = windowIndex;
        }
        Verify.state(log.position(lo) <= phys, "search start beyond the position", lo, phys);
        while (lo < hi) {
            long mid = (lo + hi + 1) >>> 1;
            if (log.position(mid) <= phys) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
