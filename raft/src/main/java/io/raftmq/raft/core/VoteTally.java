package io.raftmq.raft.core;

import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.core.quorum.VoteResult;

import java.util.HashMap;
import java.util.Map;

/** Votes received in one (pre-)election; the first answer of each voter counts, later duplicates are ignored. */
final class VoteTally {
    private final Map<Long, Boolean> votes = new HashMap<>();

    void record(long voter, boolean granted) {
        votes.putIfAbsent(voter, granted);
    }

    VoteResult result(MajorityConfig config) {
        return config.voteResult(id -> {
            Boolean v = votes.get(id);
            return v == null ? -1 : (v ? 1 : 0);
        });
    }
}
