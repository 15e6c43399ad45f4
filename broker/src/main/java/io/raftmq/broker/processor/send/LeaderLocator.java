package io.raftmq.broker.processor.send;

/**
 * Port: where the send path learns the Raft role of this broker and the address of its group's leader.
 * Implemented by the wiring from the raft agent's status and the configured broker addresses. Any thread.
 */
public interface LeaderLocator {
    /** Whether this node believes it is the leader now. */
    boolean isLeader();

    /** The client-facing broker address of the current leader, or null if no leader is known (or unconfigured). */
    String leaderBrokerAddr();
}
