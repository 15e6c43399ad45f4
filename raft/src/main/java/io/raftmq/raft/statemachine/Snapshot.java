package io.raftmq.raft.statemachine;

import io.raftmq.raft.Verify;

/**
 * A point-in-time image of the application state covering every entry up to and including {@code index}
 * (whose term is {@code term}). The data is opaque to Raft and shared, never copied: nobody mutates it.
 */
public record Snapshot(long index, long term, byte[] data) {
    public Snapshot {
        Verify.argument(index >= 0 && term >= 0, "snapshot index and term must be >= 0");
        Verify.argument(data != null, "snapshot data must not be null");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s && s.index == index && s.term == term && java.util.Arrays.equals(s.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + java.util.Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Snapshot[" + index + "@" + term + " bytes=" + data.length + "]";
    }
}
