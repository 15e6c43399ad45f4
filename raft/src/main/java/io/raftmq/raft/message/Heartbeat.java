package io.raftmq.raft.message;

/**
 * Leader to follower, every heartbeat interval: keeps the follower from campaigning and carries a commit index
 * that is safe for this follower ({@code min(follower's match, leader commit)}), and the leader's own commit index:
 * a repairing follower may end its repair on a heartbeat only when the two are equal, i.e. the leader knows the
 * follower holds everything it committed (docs/raft-driver.md, "Repair"). A peer of an older version sends
 * {@code leaderCommit} 0: such heartbeats never end a repair.
 *
 * @param commitIndex  the commit index safe for this follower
 * @param leaderCommit the leader's commit index
 */
public record Heartbeat(long from, long to, long term, long commitIndex, long leaderCommit) implements RaftMessage {
    /** A heartbeat whose commit index is the leader's own (not capped by the follower's match). */
    public Heartbeat(long from, long to, long term, long commitIndex) {
        this(from, to, term, commitIndex, commitIndex);
    }
}
