package io.raftmq.commitlog;

import java.nio.ByteBuffer;

/**
 * A reusable batch of records for {@link CommitLog#append(AppendBatch)}: parallel arrays, so filling and appending
 * a batch allocates nothing. After a successful append, {@link #position(int)} holds each record's absolute log
 * position and {@link #endPosition()} the position just after the last one (wait for durability on that).
 *
 * <p>Thread-safety: none; one owner thread fills it, appends it, reads the positions, then {@link #clear()}s it.
 * Buffer ownership: bodies stay owned by the caller; the log copies [position, limit) during the append and leaves
 * their position/limit untouched.
 */
public final class AppendBatch {
    private final long[] terms;
    private final long[] indices;
    private final byte[] types;
    private final long[] timestampsMs;
    private final ByteBuffer[] bodies;
    private final long[] positions;
    private int size;
    private long endPosition = -1;

    /** @param recordsMax how many records the batch can hold */
    public AppendBatch(int recordsMax) {
        Verify.argument(recordsMax > 0, "recordsMax must be positive");
        terms = new long[recordsMax];
        indices = new long[recordsMax];
        types = new byte[recordsMax];
        timestampsMs = new long[recordsMax];
        bodies = new ByteBuffer[recordsMax];
        positions = new long[recordsMax];
    }

    /**
     * Adds one record. {@code type} 0xFF is reserved for fillers. Returns this batch.
     *
     * @throws IllegalStateException when the batch is full
     */
    public AppendBatch add(long term, long index, byte type, long timestampMs, ByteBuffer body) {
        Verify.state(size < terms.length, "append batch full", size);
        terms[size] = term;
        indices[size] = index;
        types[size] = type;
        timestampsMs[size] = timestampMs;
        bodies[size] = body;
        positions[size] = -1;
        size++;
        return this;
    }

    /** Forgets all records (drops the body references) so the batch can be refilled. */
    public void clear() {
        for (int i = 0; i < size; i++) {
            bodies[i] = null;
        }
        size = 0;
        endPosition = -1;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return terms.length;
    }

    public long term(int i) {
        return terms[i];
    }

    public long index(int i) {
        return indices[i];
    }

    public byte type(int i) {
        return types[i];
    }

    public long timestampMs(int i) {
        return timestampsMs[i];
    }

    public ByteBuffer body(int i) {
        return bodies[i];
    }

    /** Absolute position of record {@code i} after a successful append, else -1. */
    public long position(int i) {
        return positions[i];
    }

    /** Position just after the batch's last record after a successful append, else -1. */
    public long endPosition() {
        return endPosition;
    }

    void setPosition(int i, long position) {
        positions[i] = position;
    }

    void setEndPosition(long position) {
        endPosition = position;
    }
}
