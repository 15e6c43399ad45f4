package io.raftmq.raft.driver;

/**
 * The node is not (or no longer) the leader, or the entry was overwritten by a newer leader's log. Retry on
 * {@link #leaderHint()} when it is not 0.
 */
public final class NotLeaderException extends ProposalException {
    private static final long serialVersionUID = 1L;
    private final long leaderHint;

    public NotLeaderException(long leaderHint) {
        super("not the leader; leader hint " + leaderHint);
        this.leaderHint = leaderHint;
    }

    /** The leader this node knows of, 0 if unknown. */
    public long leaderHint() {
        return leaderHint;
    }
}
