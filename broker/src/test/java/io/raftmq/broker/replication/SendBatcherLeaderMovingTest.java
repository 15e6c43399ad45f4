package io.raftmq.broker.replication;

import io.raftmq.raft.driver.NotLeaderException;
import io.raftmq.raft.driver.ProposalRejectedException;
import io.raftmq.raft.driver.ProposalRejectedException.Reason;
import io.raftmq.raft.driver.ProposalTimeoutException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: only the proposal failures that prove the entry never committed and that leadership moves hand a send back
 * to its caller (to be held and forwarded): refused during a transfer, or not (or no longer) the leader. Back-pressure,
 * a stop and a timeout (outcome unknown) stay failures. Method: the pure classifier.
 */
class SendBatcherLeaderMovingTest {
    @Test
    void onlyTransferAndNotLeaderMoveTheSend() {
        assertThat(SendBatcher.leaderMoving(new ProposalRejectedException(Reason.TRANSFERRING_LEADERSHIP))).isTrue();
        assertThat(SendBatcher.leaderMoving(new NotLeaderException(2))).isTrue();
        assertThat(SendBatcher.leaderMoving(new NotLeaderException(0))).isTrue();
        assertThat(SendBatcher.leaderMoving(new ProposalRejectedException(Reason.QUEUE_FULL))).isFalse();
        assertThat(SendBatcher.leaderMoving(new ProposalRejectedException(Reason.UNCOMMITTED_LIMIT))).isFalse();
        assertThat(SendBatcher.leaderMoving(new ProposalRejectedException(Reason.STOPPED))).isFalse();
        assertThat(SendBatcher.leaderMoving(new ProposalTimeoutException(3000))).isFalse();
    }
}
