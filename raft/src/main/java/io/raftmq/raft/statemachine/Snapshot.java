package io.raftmq.raft.statemachine;

import io.raftmq.raft.Verify;

/**
 * A point-in-time image of the application state covering every entry up to and including {@code index}
 * (whose term is {@code term}), with the group's membership as of that index. The data is opaque to Raft and
 * shared, never copied: nobody mutates it. {@code membership} is the encoded member set the core uses after
 * installing the snapshot (docs/raft-driver.md, "Membership"); empty means the group's initial configuration.
 */
public record Snapshot(long index, long term, byte[] membership, byte[] data) {
    private static final byte[] NONE = new byte[0];

    public Snapshot {
        Verify.argument(index >= 0 && term >= 0, "snapshot index and term must be >= 0");
        Verify.argument(membership != null, "snapshot membership must not be null");
        Verify.argument(data != null, "snapshot data must not be null");
    }

    /** A snapshot of a group still in its initial configuration. */
    public Snapshot(long index, long term, byte[] data) {
        this(index, term, NONE, data);
    }

    /** This snapshot with {@code members} as its membership. */
    public Snapshot withMembership(byte[] members) {
        return new Snapshot(index, term, members, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s && s.index == index && s.term == term && java.util.Arrays.equals(s.data, data)
            && java.util.Arrays.equals(s.membership, membership);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + java.util.Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Snapshot[" + index + "@" + term + " bytes=" + data.length + " membership=" + membership.length + "]";
    }
}
