package io.raftmq.raft.core.membership;

import io.raftmq.raft.Verify;

/**
 * One single-server membership change (thesis §4.1): each changes the voter set by at most one member, so the
 * majorities of the old and the new configuration always intersect and no joint consensus is needed.
 */
public sealed interface MembershipChange {
    /** Adds a new member as a learner: it receives the log but neither votes nor counts in quorums. */
    record AddLearner(Member member) implements MembershipChange {
        public AddLearner {
            Verify.argument(member != null, "member must not be null");
        }
    }

    /**
     * Makes learner {@code id} a voter; refused unless its matched index is within {@code lagEntriesMax} of the
     * leader's last index (a voter that is far behind would stall commits).
     */
    record Promote(long id, long lagEntriesMax) implements MembershipChange {
        public Promote {
            Verify.argument(id > 0, "member id must be positive");
            Verify.argument(lagEntriesMax >= 0, "lagEntriesMax must be >= 0");
        }
    }

    /** Removes voter or learner {@code id} (the leader itself included: it steps down once the change commits). */
    record Remove(long id) implements MembershipChange {
        public Remove {
            Verify.argument(id > 0, "member id must be positive");
        }
    }
}
