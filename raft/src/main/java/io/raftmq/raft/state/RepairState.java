package io.raftmq.raft.state;

import io.raftmq.raft.Verify;

/**
 * A member that lost data it may have acknowledged is <em>repairing</em> (docs/raft-driver.md, "Repair"): it keeps
 * its term and vote, answers appends truthfully, but grants no vote or pre-vote and never campaigns, until its log
 * holds a current leader's committed prefix again (and every index it acknowledged before the loss, when known).
 * Voting as if it still had the lost entries could elect a leader that lacks committed entries. This record is the
 * durable part of that state; it exists (in a {@link RepairStateStore}) exactly while the member is repairing.
 *
 * @param reason         why the member is repairing
 * @param ackedIndexMin  a lower bound of the highest index the member acknowledged before the loss (0 = unknown);
 *                       its log must reach past it, matching a current leader, before it votes again
 * @param firstLostIndex the first index the loss took away, -1 if unknown (for operators and logs)
 */
public record RepairState(Reason reason, long ackedIndexMin, long firstLostIndex) {
    /** Why a member started repairing; the code is stored on disk. */
    public enum Reason {
        /** Recovery cut the commit log back past damage inside it. */
        LOG_DAMAGED(1),
        /** The member was part of a running group but its raft state (hard state) was missing. */
        STATE_MISSING(2),
        /** The log ended before the saved commit index (files truncated or removed behind the node's back). */
        LOG_BEHIND_COMMIT(3),
        /** The repair file itself could not be read: the member stays repairing with nothing else known. */
        UNREADABLE(4);

        private final int code;

        Reason(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The reason with {@code code}, {@link #UNREADABLE} for an unknown one. */
        public static Reason of(int code) {
            for (Reason r : values()) {
                if (r.code == code) {
                    return r;
                }
            }
            return UNREADABLE;
        }
    }

    public RepairState {
        Verify.argument(reason != null, "reason");
        Verify.argument(ackedIndexMin >= 0, "ackedIndexMin must be >= 0");
        Verify.argument(firstLostIndex >= -1, "firstLostIndex must be >= -1");
    }

    /** Both losses at once: the higher acknowledged bound, the lower first lost index; this reason. */
    public RepairState merge(RepairState earlier) {
        if (earlier == null) {
            return this;
        }
        long lost = firstLostIndex < 0 ? earlier.firstLostIndex
            : earlier.firstLostIndex < 0 ? firstLostIndex : Math.min(firstLostIndex, earlier.firstLostIndex);
        return new RepairState(reason, Math.max(ackedIndexMin, earlier.ackedIndexMin), lost);
    }

    /**
     * The loss a restarting member can see for itself: a saved commit index beyond the end of its log (the log is
     * synced before the commit index is saved, so only lost files explain it); null when there is none.
     */
    public static RepairState detect(HardState saved, long lastIndex) {
        if (saved.commitIndex() <= lastIndex) {
            return null;
        }
        return new RepairState(Reason.LOG_BEHIND_COMMIT, saved.commitIndex(), lastIndex + 1);
    }

    /**
     * The hard state a repairing member starts from: its saved term and vote (raised to the log's last term, with
     * no vote, when the saved state is older than the log, as after the state file was lost), and the commit index
     * cut back to the log's end (what lies past it is gone; the leader tells it again).
     */
    public static HardState startingHardState(HardState saved, long lastIndex, long lastTerm) {
        long commit = Math.min(saved.commitIndex(), lastIndex);
        if (lastTerm > saved.term()) {
            return new HardState(lastTerm, 0, commit);
        }
        return new HardState(saved.term(), saved.votedFor(), commit);
    }
}
