package io.raftmq.raft.core;

import io.raftmq.raft.Verify;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.core.progress.Progress;
import io.raftmq.raft.core.quorum.MajorityConfig;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Leader: per-follower progress, heartbeat timer, the check-quorum round ({@code electionElapsed}) and a
 * leadership transfer in progress. The leader's own acknowledged index is {@code selfMatch}: the last index the
 * driver reported durable through {@code RaftNode.persisted}, never what was merely appended or written.
 * Followers are every other member of the configuration in effect, learners included ({@link #syncMembers}); only
 * voters count in quorums.
 */
final class LeaderState extends RoleState {
    private final long selfId;
    private final Map<Long, Progress> followers = new HashMap<>();
    /** Invariant: selfMatch <= the log's durable last index. */
    long selfMatch;
    int heartbeatElapsed;
    /** Target of a leadership transfer in progress, 0 if none. */
    long transferTarget;

    private final int electionTicks;

    LeaderState(long selfId, MajorityConfig voters, long nextIndex, long selfMatch, int inflightMax,
                int electionTicks) {
        this.selfId = selfId;
        this.electionTicks = electionTicks;
        this.selfMatch = selfMatch;
        for (int i = 0; i < voters.size(); i++) {
            long id = voters.voter(i);
            if (id != selfId) {
                followers.put(id, new Progress(nextIndex, inflightMax));
            }
        }
    }

    @Override
    int electionTimeoutTicks() {
        return electionTicks;
    }

    @Override
    Role role() {
        return Role.LEADER;
    }

    /**
     * Tracks exactly the other members of {@code m}: new members start probing at {@code nextIndex}, removed ones
     * are forgotten (a configuration takes effect as soon as it is appended).
     */
    void syncMembers(Membership m, long nextIndex, int inflightMax) {
        Set<Long> ids = new HashSet<>();
        for (Member member : m.members()) {
            if (member.id() != selfId) {
                ids.add(member.id());
                followers.computeIfAbsent(member.id(), id -> new Progress(nextIndex, inflightMax));
            }
        }
        followers.keySet().retainAll(ids);
        Verify.state(followers.size() == ids.size(), "progress must track every other member", followers.size(),
            ids.size());
    }

    /** Progress of follower {@code id}, or null if it is not a follower of this configuration. */
    Progress progress(long id) {
        return followers.get(id);
    }

    Map<Long, Progress> followers() {
        return followers;
    }

    /** Acknowledged (durably matched) index of voter {@code id}, the leader included. */
    long matchOf(long id) {
        if (id == selfId) {
            return selfMatch;
        }
        Progress p = followers.get(id);
        Verify.state(p != null, "no progress for voter", id);
        return p.match();
    }
}
