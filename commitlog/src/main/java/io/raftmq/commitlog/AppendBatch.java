package io.raftmq.commitlog;

import io.raftmq.commitlog.error.CommitLogException;
import io.raftmq.commitlog.error.Verify;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * A reusable batch of records for {@link CommitLog#append(AppendBatch)} and
 * {@link CommitLog#appendCoalesced(AppendBatch, long)}: parallel arrays, so filling and appending a batch allocates
 * nothing. After a successful append, {@link #position(int)} holds each record's absolute log position,
 * {@link #index(int)} its raft index (assigned by the log for a coalesced append) and {@link #endPosition()} the
 * position just after the last one (wait for durability on that).
 *
 * <p>Thread-safety: none for the records; one owner thread fills it, appends it, reads the positions, then
 * {@link #clear()}s it. While a coalesced append has it ({@link #inFlight()}), the flush agent reads the records
 * and writes positions and indices; the owner must not touch the batch or its bodies then. The coalescing state
 * below is the hand-off between the two: the owner publishes the records by the volatile write of QUEUED, the
 * agent claims them by a CAS to CLAIMED and hands them back by the volatile write of DONE or FAILED.
 * Buffer ownership: bodies stay owned by the caller; the log copies [position, limit) during the append and leaves
 * their position/limit untouched.
 *
 * <pre>
 * Coalescing state (CommitLog#appendCoalesced):
 *   IDLE | DONE | FAILED --owner: submit--> QUEUED --agent: claim--> CLAIMED --agent: complete--> DONE | FAILED
 *   QUEUED --owner: timeout or fenced log (CAS)--> CANCELLED --agent: skip while draining--> IDLE
 * </pre>
 */
public final class AppendBatch {
    static final int IDLE = 0;
    static final int QUEUED = 1;
    static final int CLAIMED = 2;
    static final int DONE = 3;
    static final int FAILED = 4;
    static final int CANCELLED = 5;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(AppendBatch.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] terms;
    private final long[] indices;
    private final byte[] types;
    private final long[] timestampsMs;
    private final ByteBuffer[] bodies;
    private final long[] positions;
    private int size;
    private long endPosition = -1;

    // Coalescing hand-off (see the class comment); all but state are plain, ordered by the state's volatile access.
    private volatile int state;
    /** Link in the coalescing stack; written by the owner before the push, read once by the draining agent. */
    AppendBatch next;
    /** Stack depth at push time (bounds the queue without a shared counter); may overstate, never understate. */
    int depth;
    /** The thread parked on this batch (unparked on completion or release). */
    Thread waiter;
    /** Why a coalesced append failed; valid when the state is FAILED. */
    CommitLogException failure;

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
     * Adds one record. {@code type} 0xFF is reserved for fillers. Returns this batch. {@code index} must be the
     * record's raft index for {@link CommitLog#append}; {@link CommitLog#appendCoalesced} ignores it and overwrites
     * it with the index the log assigns (pass anything, e.g. 0).
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

    /**
     * Forgets all records (drops the body references) so the batch can be refilled.
     *
     * @throws IllegalStateException the batch is still in flight in a coalesced append (see {@link #inFlight()})
     */
    public void clear() {
        Verify.state(!inFlight(), "append batch cleared while the log still holds it", state);
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

    /**
     * True while a coalesced append holds the batch: queued or being written/forced. It stays true after a
     * {@link DurableTimeoutException} that was thrown once the log had claimed the batch, until the log completes
     * it; do not modify or reuse the batch (or its bodies) until this is false.
     */
    public boolean inFlight() {
        int s = state;
        return s == QUEUED || s == CLAIMED;
    }

    int state() {
        return state;
    }

    void setState(int s) {
        state = s;
    }

    boolean casState(int expect, int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    /** Gives the records consecutive indices from {@code first} (coalesced appends: the log assigns them). */
    void assignIndices(long first) {
        for (int i = 0; i < size; i++) {
            indices[i] = first + i;
        }
    }

    void setPosition(int i, long position) {
        positions[i] = position;
    }

    void setEndPosition(long position) {
        endPosition = position;
    }
}
