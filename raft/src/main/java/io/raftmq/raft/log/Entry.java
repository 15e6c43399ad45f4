package io.raftmq.raft.log;

import io.raftmq.raft.Verify;

import java.util.Arrays;

/**
 * One Raft log entry: (term, index, type, payload, timestampMs). Types below {@link #TYPE_APPLICATION_MIN} are
 * reserved for Raft itself ({@link #TYPE_NOOP} opens every leader term, {@link #TYPE_CONFIG} carries a new
 * membership); the application owns the rest and Raft treats them, and the payload, as opaque. {@code timestampMs} is
 * the leader's wall clock when it created the entry (0: unknown, e.g. entries built by tests); every member stores the
 * same value, so the records of a log are byte-identical on every member (docs/snapshots.md rule 4).
 *
 * <p>Ownership: the payload array is shared, never copied. Whoever builds an entry hands the array over and
 * must not mutate it afterwards; readers must not mutate it either.
 */
public record Entry(long term, long index, int type, byte[] payload, long timestampMs) {
    /** Appended by every new leader so that it can commit entries of its own term (§5.4.2). */
    public static final int TYPE_NOOP = 0;
    /** A membership change: the payload is the new membership's encoding (docs/raft-driver.md, "Membership"). */
    public static final int TYPE_CONFIG = 1;
    /** Lowest type an application may use; 0..15 are reserved for Raft. */
    public static final int TYPE_APPLICATION_MIN = 16;
    /** Bytes counted per entry on top of its payload when batching by size (term, index, type, length). */
    public static final int OVERHEAD_BYTES = 24;

    private static final byte[] EMPTY = new byte[0];

    public Entry {
        Verify.argument(term >= 1, "entry term must be >= 1");
        Verify.argument(index >= 1, "entry index must be >= 1");
        Verify.argument(type >= 0, "entry type must be >= 0");
        Verify.argument(payload != null, "entry payload must not be null (use an empty array)");
        Verify.argument(timestampMs >= 0, "entry timestamp must be >= 0");
    }

    /** An entry whose creation time is unknown (timestamp 0). */
    public Entry(long term, long index, int type, byte[] payload) {
        this(term, index, type, payload, 0);
    }

    /** The no-op a leader appends at the start of its term. */
    public static Entry noop(long term, long index, long timestampMs) {
        return new Entry(term, index, TYPE_NOOP, EMPTY, timestampMs);
    }

    /** Size used for batching limits: payload plus {@link #OVERHEAD_BYTES}. */
    public long sizeBytes() {
        return (long) OVERHEAD_BYTES + payload.length;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Entry e)) {
            return false;
        }
        return term == e.term && index == e.index && type == e.type && timestampMs == e.timestampMs
            && Arrays.equals(payload, e.payload);
    }

    @Override
    public int hashCode() {
        return (int) (31 * (31 * (31 * Long.hashCode(term) + Long.hashCode(index)) + type)
            + Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "Entry[" + index + "@" + term + " type=" + type + " bytes=" + payload.length + "]";
    }
}
