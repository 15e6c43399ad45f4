package io.raftmq.broker.entry;

/**
 * A replicated change was requested on a node that is not the Raft leader. Processors answer it with
 * 14 SERVICE_NOT_AVAILABLE (docs/protocol.md §1.6: there is no NOT_MASTER code; clients retry elsewhere).
 */
public final class NotLeaderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String leaderHint;

    /** @param leaderHint the leader's broker address if known, else null */
    public NotLeaderException(String leaderHint) {
        super(leaderHint == null ? "not leader; leader unknown" : "not leader; leader is " + leaderHint);
        this.leaderHint = leaderHint;
    }

    /** The leader's address if known, else null. */
    public String leaderHint() {
        return leaderHint;
    }
}
