package io.raftmq.raft.message;

/**
 * Leader to a follower whose next index was compacted away: the application state as of
 * {@code (snapshotIndex, snapshotTerm)} and the membership as of that index (empty: the initial configuration).
 * The follower answers with an {@link AppendEntriesResponse}. The arrays are shared, never mutated.
 */
public record InstallSnapshot(long from, long to, long term, long snapshotIndex, long snapshotTerm,
                              byte[] membership, byte[] data) implements RaftMessage {

    /** An install of a snapshot taken in the group's initial configuration. */
    public InstallSnapshot(long from, long to, long term, long snapshotIndex, long snapshotTerm, byte[] data) {
        this(from, to, term, snapshotIndex, snapshotTerm, new byte[0], data);
    }

    /** The snapshot this message carries. */
    public io.raftmq.raft.statemachine.Snapshot snapshot() {
        return new io.raftmq.raft.statemachine.Snapshot(snapshotIndex, snapshotTerm, membership, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InstallSnapshot s && s.from == from && s.to == to && s.term == term
            && s.snapshotIndex == snapshotIndex && s.snapshotTerm == snapshotTerm
            && java.util.Arrays.equals(s.data, data) && java.util.Arrays.equals(s.membership, membership);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(from ^ to ^ term ^ snapshotIndex);
    }

    @Override
    public String toString() {
        return "InstallSnapshot[" + from + "->" + to + " term=" + term + " snapshot=" + snapshotIndex + "@"
            + snapshotTerm + " bytes=" + data.length + "]";
    }
}
