package io.raftmq.raft.driver;

/**
 * The node is not (or no longer) the leader, or the entry was overwritten by a newer leader's log. Retry on
 * {@link #leaderHint()} when it is not 0. Layers that know how to reach nodes (the broker maps node ids to broker
 * addresses) attach the leader's address with {@link #withLeaderAddress}, and callers read it from
 * {@link #leaderAddress()}.
 */
public final class NotLeaderException extends ProposalException {
    private static final long serialVersionUID = 1L;
    private final long leaderHint;
    private final String leaderAddress;

    public NotLeaderException(long leaderHint) {
        super("not the leader; leader hint " + leaderHint);
        this.leaderHint = leaderHint;
        this.leaderAddress = null;
    }

    /**
     * @param leaderHint    the leader's node id, 0 if unknown
     * @param leaderAddress where clients reach the leader, null if unknown
     */
    public NotLeaderException(long leaderHint, String leaderAddress) {
        super(leaderAddress == null ? "not the leader; leader hint " + leaderHint
            : "not the leader; leader hint " + leaderHint + " at " + leaderAddress);
        this.leaderHint = leaderHint;
        this.leaderAddress = leaderAddress;
    }

    /** The leader this node knows of, 0 if unknown. */
    public long leaderHint() {
        return leaderHint;
    }

    /** Where clients reach the leader, null if unknown (raft itself never knows it). */
    public String leaderAddress() {
        return leaderAddress;
    }

    /** This failure with the leader's address attached (null = unknown). */
    public NotLeaderException withLeaderAddress(String address) {
        return new NotLeaderException(leaderHint, address);
    }
}
