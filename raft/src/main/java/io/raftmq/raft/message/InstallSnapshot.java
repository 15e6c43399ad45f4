package io.raftmq.raft.message;

/**
 * Leader to a follower whose next index was compacted away: the application state as of
 * {@code (snapshotIndex, snapshotTerm)}. The follower answers with an {@link AppendEntriesResponse}. The data
 * array is shared, never mutated.
 */
public record InstallSnapshot(long from, long to, long term, long snapshotIndex, long snapshotTerm, byte[] data)
    implements RaftMessage {

    @Override
    public boolean equals(Object o) {
        return o instanceof InstallSnapshot s && s.from == from && s.to == to && s.term == term
            && s.snapshotIndex == snapshotIndex && s.snapshotTerm == snapshotTerm
            && java.util.Arrays.equals(s.data, data);
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
