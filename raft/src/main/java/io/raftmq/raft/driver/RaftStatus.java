package io.raftmq.raft.driver;

import io.raftmq.raft.core.ElectionCounts;
import io.raftmq.raft.core.Role;
import io.raftmq.raft.core.membership.Membership;

/**
 * What a node reports for metrics and routing, published by the agent after each duty cycle that changed it.
 *
 * @param nodeId       this node
 * @param role         current role
 * @param term         current term
 * @param leaderId     known leader of the term, 0 if none
 * @param commitIndex  highest index known committed
 * @param lastIndex    last index in the log (written, maybe not yet durable)
 * @param appliedIndex last index applied to the state machine
 * @param failed       the agent stopped after an error (see the log); the node must be restarted
 * @param membership   the configuration in effect (its newest CONFIG entry, committed or not); null when unknown
 * @param elections    the campaigns the core counted (pre-votes, elections started and won); never null
 */
public record RaftStatus(long nodeId, Role role, long term, long leaderId, long commitIndex, long lastIndex,
                         long appliedIndex, boolean failed, Membership membership, ElectionCounts elections) {
    public RaftStatus {
        elections = elections == null ? ElectionCounts.NONE : elections;
    }

    /** A status without campaign counts. */
    public RaftStatus(long nodeId, Role role, long term, long leaderId, long commitIndex, long lastIndex,
                      long appliedIndex, boolean failed, Membership membership) {
        this(nodeId, role, term, leaderId, commitIndex, lastIndex, appliedIndex, failed, membership,
            ElectionCounts.NONE);
    }

    /** A status without membership information. */
    public RaftStatus(long nodeId, Role role, long term, long leaderId, long commitIndex, long lastIndex,
                      long appliedIndex, boolean failed) {
        this(nodeId, role, term, leaderId, commitIndex, lastIndex, appliedIndex, failed, null);
    }

    /** Whether this node is the leader. */
    public boolean isLeader() {
        return role == Role.LEADER;
    }
}
