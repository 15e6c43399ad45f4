package io.raftmq.chaos.check;

import java.nio.file.Path;
import java.util.List;

/**
 * What the checkers need besides the history.
 *
 * @param replicas       data directories of the stopped members of one broker group, for the divergence checker
 *                       (empty: that check is skipped and says so)
 * @param duplicatesMax  bound on duplicate deliveries, beyond which the duplicates check fails; -1 = no bound (every
 *                       duplicate is reported, only a message delivered at two different offsets is a violation)
 * @param examplesMax    how many examples each checker keeps
 */
public record CheckInput(List<Replica> replicas, long duplicatesMax, int examplesMax) {
    /** The default number of examples per checker. */
    public static final int EXAMPLES_MAX_DEFAULT = 10;

    /**
     * One member's data directory (the broker's {@code storePathRootDir}: {@code store/commitlog/log},
     * {@code store/derived}, {@code raft/hardstate}).
     */
    public record Replica(String member, Path dataDir) {
    }

    public CheckInput {
        replicas = List.copyOf(replicas);
        if (duplicatesMax < -1) {
            throw new IllegalArgumentException("duplicatesMax must be -1 (no bound) or >= 0: " + duplicatesMax);
        }
        if (examplesMax < 0) {
            throw new IllegalArgumentException("examplesMax must be >= 0: " + examplesMax);
        }
    }

    /** No replicas, no duplicates bound, {@link #EXAMPLES_MAX_DEFAULT} examples. */
    public static CheckInput defaults() {
        return new CheckInput(List.of(), -1, EXAMPLES_MAX_DEFAULT);
    }

    /** This input with the given replicas. */
    public CheckInput withReplicas(List<Replica> r) {
        return new CheckInput(r, duplicatesMax, examplesMax);
    }

    /** This input with a bound on duplicates. */
    public CheckInput withDuplicatesMax(long max) {
        return new CheckInput(replicas, max, examplesMax);
    }
}
