package io.raftmq.raft.core.quorum;

import io.raftmq.raft.Verify;

import java.util.Arrays;
import java.util.function.LongUnaryOperator;

/**
 * A set of voters decided by simple majority: the quorum math of the core, kept apart from peers and progress so
 * that membership change (learners, joint consensus) can later compose configurations instead of rewriting it.
 * Immutable. Invariant: voter ids are positive, distinct and sorted.
 */
public final class MajorityConfig {
    private final long[] voters;

    private MajorityConfig(long[] sortedVoters) {
        this.voters = sortedVoters;
    }

    /** A configuration of the given voter ids (at least one, all positive, no duplicates). */
    public static MajorityConfig of(long... ids) {
        Verify.argument(ids.length >= 1, "a configuration needs at least one voter");
        long[] sorted = ids.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            Verify.argument(sorted[i] > 0, "voter ids must be positive");
            Verify.argument(i == 0 || sorted[i] != sorted[i - 1], "voter ids must be distinct");
        }
        return new MajorityConfig(sorted);
    }

    /** Number of voters. */
    public int size() {
        return voters.length;
    }

    /** Votes needed to win: a strict majority. */
    public int quorum() {
        return voters.length / 2 + 1;
    }

    /** The i-th voter id in ascending order, {@code 0 <= i < size()}. */
    public long voter(int i) {
        return voters[i];
    }

    /** Whether {@code id} is a voter. */
    public boolean contains(long id) {
        return Arrays.binarySearch(voters, id) >= 0;
    }

    /** A copy of the voter ids, ascending. */
    public long[] voters() {
        return voters.clone();
    }

    /**
     * The highest index acknowledged by a majority, given each voter's acknowledged (matched) index: the
     * quorum-th largest value.
     */
    public long committedIndex(LongUnaryOperator matchOf) {
        long[] acked = new long[voters.length];
        for (int i = 0; i < voters.length; i++) {
            acked[i] = matchOf.applyAsLong(voters[i]);
            Verify.state(acked[i] >= 0, "acknowledged index must be >= 0", voters[i], acked[i]);
        }
        Arrays.sort(acked);
        return acked[voters.length - quorum()];
    }

    /**
     * Counts votes; {@code voteOf} returns 1 for granted, 0 for rejected, -1 for not yet answered. Ids that are
     * not voters are never asked.
     */
    public VoteResult voteResult(java.util.function.LongToIntFunction voteOf) {
        int granted = 0;
        int missing = 0;
        for (long id : voters) {
            int v = voteOf.applyAsInt(id);
            Verify.state(v >= -1 && v <= 1, "vote must be -1, 0 or 1", id, v);
            if (v == 1) {
                granted++;
            } else if (v == -1) {
                missing++;
            }
        }
        if (granted >= quorum()) {
            return VoteResult.WON;
        }
        return granted + missing >= quorum() ? VoteResult.PENDING : VoteResult.LOST;
    }

    @Override
    public String toString() {
        return "voters" + Arrays.toString(voters);
    }
}
