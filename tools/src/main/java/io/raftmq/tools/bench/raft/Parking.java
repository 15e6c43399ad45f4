package io.raftmq.tools.bench.raft;

import java.util.concurrent.locks.LockSupport;

/**
 * Parking until a {@link System#nanoTime()} deadline, shared by the paced clients of {@link ProposalLoad} and the
 * kill schedule of {@link LeaderKiller}.
 */
final class Parking {
    private Parking() {
    }

    /** Returns at or after {@code deadlineNs} (at once when it has passed); spurious wake-ups park again. */
    static void parkUntil(long deadlineNs) {
        for (long left = deadlineNs - System.nanoTime(); left > 0; left = deadlineNs - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
