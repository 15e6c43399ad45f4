package io.raftmq.raft.message;

/**
 * Follower to leader: proof of life for check-quorum, a cue to resume replication to this follower, and the end of
 * the follower's log ({@code lastIndex}). A leader that believes the follower matches more than it now holds (it
 * lost data and restarted) probes it at once, so an idle group repairs such a member without a new write
 * (docs/raft-driver.md, "Repair"). A peer of an older version sends no log position: {@link #LAST_INDEX_UNKNOWN}.
 *
 * @param lastIndex the follower's last log index when it answered, or {@link #LAST_INDEX_UNKNOWN}
 */
public record HeartbeatResponse(long from, long to, long term, long lastIndex) implements RaftMessage {
    /** The log position of an answer from a peer that predates it. */
    public static final long LAST_INDEX_UNKNOWN = -1;

    public HeartbeatResponse {
        if (lastIndex < LAST_INDEX_UNKNOWN) {
            throw new IllegalArgumentException("lastIndex must be >= 0 or unknown (-1): " + lastIndex);
        }
    }

    /** An answer without a log position (as from a peer that predates it). */
    public HeartbeatResponse(long from, long to, long term) {
        this(from, to, term, LAST_INDEX_UNKNOWN);
    }
}
