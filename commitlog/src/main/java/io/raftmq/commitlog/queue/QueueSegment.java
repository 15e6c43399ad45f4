package io.raftmq.commitlog.queue;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.io.StorageFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One segment file of a {@link ConsumeQueue}: a fixed-capacity {@link StorageFile} of {@code unitsPerFile} units
 * whose first unit is queue offset {@link #base}; unit i of the queue sits at byte {@code (i - base) * 20}. Units
 * [0, {@link #units}) are the written ones (the first segment of a queue may begin with a hole of all-zero units,
 * see {@link ConsumeQueue#stage}); every byte after them is zero. All I/O goes through the storage port.
 *
 * <p>Threading: the queue's writer changes {@link #units} and writes; readers read concurrently (bounds are checked
 * by the queue before a read).
 */
final class QueueSegment {
    private static final int ZERO_UNITS_PER_WRITE = 256;

    /** Queue offset of the file's first unit (a multiple of unitsPerFile). */
    final long base;
    final StorageFile file;
    /** Units [0, units) are written; the writer publishes a new value after the bytes are written. */
    volatile int units;
    /** Written since the last force. Writer thread only. */
    private boolean dirty;

    QueueSegment(long base, StorageFile file, int units) {
        this.base = base;
        this.file = file;
        this.units = units;
    }

    Path path() {
        return file.path();
    }

    /** Units the file holds. */
    int capacityUnits() {
        return (int) (file.capacity() / ConsumeQueue.UNIT_SIZE);
    }

    /** Writes whole units from {@code src} [position, limit) starting at unit {@code unitIndex} of this file. */
    void write(int unitIndex, ByteBuffer src) throws IOException {
        Verify.state(src.remaining() % ConsumeQueue.UNIT_SIZE == 0, "partial unit written", src.remaining(),
                unitIndex);
        file.write((long) unitIndex * ConsumeQueue.UNIT_SIZE, src);
        dirty = true;
    }

    /** Reads {@code dst.remaining()} bytes from byte {@code byteOffset} of unit {@code unitIndex} on. */
    void read(long unitIndex, int byteOffset, ByteBuffer dst) throws IOException {
        file.read(unitIndex * ConsumeQueue.UNIT_SIZE + byteOffset, dst);
    }

    /** Overwrites units [from, to) with zeros (truncation, or dropping an invalid tail found by recovery). */
    void zero(int from, int to) throws IOException {
        Verify.state(from <= to, "zero range reversed", from, to);
        ByteBuffer zeros = ByteBuffer.allocate(Math.min(to - from, ZERO_UNITS_PER_WRITE) * ConsumeQueue.UNIT_SIZE);
        for (int at = from; at < to; ) {
            int n = Math.min(to - at, ZERO_UNITS_PER_WRITE);
            zeros.clear().limit(n * ConsumeQueue.UNIT_SIZE);
            write(at, zeros);
            at += n;
        }
    }

    /** Forces the file if it was written since the last force. */
    void forceIfDirty() throws IOException {
        if (dirty) {
            file.force();
            dirty = false;
        }
    }
}
