package io.raftmq.raft.core;

import io.raftmq.raft.Verify;

/**
 * Settings of one Raft node, validated once here. Time is counted in ticks (the driver decides how long a tick
 * is). Relations between settings are asserted: a follower must receive several heartbeats within an election
 * timeout ({@code heartbeatTicks * 3 < electionTicks}).
 *
 * @param nodeId               this node's id, positive
 * @param electionTicks        base election timeout; a follower waits a random time in
 *                             {@code [electionTicks, 2 * electionTicks)} without a leader before campaigning,
 *                             and check-quorum runs every {@code electionTicks} on the leader
 * @param heartbeatTicks       interval between a leader's heartbeats
 * @param inflightAppendsMax   unacknowledged AppendEntries per follower in REPLICATE mode (pipelining)
 * @param batchBytesMax        entry bytes per AppendEntries and per Ready's committed entries (at least one)
 * @param batchEntriesMax      entries per AppendEntries
 * @param uncommittedEntriesMax entries a leader accepts beyond its commit index before refusing proposals
 * @param checkQuorum          a leader steps down when it did not hear from a majority within electionTicks,
 *                             and followers that hear from a leader ignore vote requests (leader lease)
 * @param preVote              campaign with a pre-vote round first (§9.6), so a partitioned node does not
 *                             inflate terms
 */
public record RaftConfig(long nodeId, int electionTicks, int heartbeatTicks, int inflightAppendsMax,
                         long batchBytesMax, int batchEntriesMax, int uncommittedEntriesMax,
                         boolean checkQuorum, boolean preVote) {
    public RaftConfig {
        Verify.argument(nodeId > 0, "nodeId must be positive");
        Verify.argument(heartbeatTicks >= 1, "heartbeatTicks must be >= 1");
        Verify.argument(heartbeatTicks * 3L < electionTicks, "heartbeatTicks * 3 must be < electionTicks");
        Verify.argument(inflightAppendsMax >= 1, "inflightAppendsMax must be >= 1");
        Verify.argument(batchBytesMax >= 1, "batchBytesMax must be >= 1");
        Verify.argument(batchEntriesMax >= 1, "batchEntriesMax must be >= 1");
        Verify.argument(uncommittedEntriesMax >= 1, "uncommittedEntriesMax must be >= 1");
    }

    /** Defaults: election 10 ticks, heartbeat 2, 64 inflight appends of up to 1 MiB or 512 entries. */
    public static RaftConfig defaults(long nodeId) {
        return new RaftConfig(nodeId, 10, 2, 64, 1 << 20, 512, 65_536, true, true);
    }
}
