package io.raftmq.raft.core;

import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.message.VoteResponse;
import io.raftmq.raft.state.HardState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the core counts every pre-vote campaign, election started and election won ({@link ElectionCounts}), also
 * those a sampled role misses: a second pre-vote while still pre-candidate, a lost election. Method: one
 * {@link RaftNode} with pre-vote on, fed vote responses by hand (no clock, no randomness: jitter 0).
 */
class ElectionCountsTest {
    private static void tickUntilCampaign(RaftNode n, MemoryRaftLog log, long preVotesBefore) {
        for (int i = 0; i < 100 && n.preVotes() == preVotesBefore; i++) {
            n.tick();
        }
        SyncedDriver.persist(n, log);
    }

    private static ElectionCounts counts(RaftNode n) {
        return new ElectionCounts(n.preVotes(), n.electionsStarted(), n.electionsWon());
    }

    @Test
    void preVotesElectionsAndWinsAreCountedByTheCore() {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode n = new RaftNode(new RaftConfig(1, 10, 2, 4, 1 << 20, 8, 1000, false, true),
            MajorityConfig.of(1, 2, 3), log, new HardState(0, 0, 0), 0, bound -> 0, () -> null);
        assertThat(counts(n)).isEqualTo(ElectionCounts.NONE);
        tickUntilCampaign(n, log, 0);
        assertThat(n.role()).isEqualTo(Role.PRE_CANDIDATE);
        tickUntilCampaign(n, log, 1); // nobody answered: a second pre-vote, the role unchanged
        assertThat(n.role()).isEqualTo(Role.PRE_CANDIDATE);
        assertThat(counts(n)).isEqualTo(new ElectionCounts(2, 0, 0));
        n.step(new VoteResponse(2, 1, n.term() + 1, true, true)); // pre-vote won: the election starts
        SyncedDriver.persist(n, log);
        assertThat(n.role()).isEqualTo(Role.CANDIDATE);
        assertThat(counts(n)).isEqualTo(new ElectionCounts(2, 1, 0));
        n.step(new VoteResponse(2, 1, n.term(), false, false));
        n.step(new VoteResponse(3, 1, n.term(), false, false)); // lost
        SyncedDriver.persist(n, log);
        assertThat(n.role()).isEqualTo(Role.FOLLOWER);
        assertThat(counts(n)).isEqualTo(new ElectionCounts(2, 1, 0));
        tickUntilCampaign(n, log, 2);
        n.step(new VoteResponse(3, 1, n.term() + 1, true, true));
        SyncedDriver.persist(n, log);
        n.step(new VoteResponse(3, 1, n.term(), false, true));
        SyncedDriver.persist(n, log);
        assertThat(n.role()).isEqualTo(Role.LEADER);
        assertThat(counts(n)).isEqualTo(new ElectionCounts(3, 2, 1));
    }
}
