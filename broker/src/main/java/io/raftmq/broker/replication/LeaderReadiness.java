package io.raftmq.broker.replication;

import io.raftmq.raft.driver.RaftStatus;

import java.util.function.Supplier;

/**
 * When this member may act as the group's leader on replicated feature state: it leads, and it has applied an entry
 * of its own term (the no-op a leader appends when its term starts), hence every entry committed by earlier leaders.
 * Only then does the state derived from the log (delivery progress, pending half messages, queue locks) include
 * everything a former leader committed, so a leader-only service (due-message delivery, transaction check-back)
 * resumes where the last one stopped instead of redoing or skipping work.
 *
 * <p>Threads: any. The answer can be stale by the time it is used; services therefore re-check it each round, and
 * whatever they propose under a lost leadership fails (not leader) or commits exactly once in log order.
 */
public final class LeaderReadiness {
    private final Supplier<RaftStatus> status;
    private final BrokerStateMachine stateMachine;

    public LeaderReadiness(Supplier<RaftStatus> status, BrokerStateMachine stateMachine) {
        this.status = status;
        this.stateMachine = stateMachine;
    }

    /** The term in which this member leads with every earlier entry applied, or 0 when it may not act as leader. */
    public long readyTerm() {
        RaftStatus s = status.get();
        return s.isLeader() && stateMachine.appliedTerm() == s.term() ? s.term() : 0;
    }
}
