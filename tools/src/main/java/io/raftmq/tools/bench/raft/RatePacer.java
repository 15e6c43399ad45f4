package io.raftmq.tools.bench.raft;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code --rate R} schedule of proposals shared by all client threads: slots 1/R apart, handed out in bursts of
 * at most R/200 so that a client parks at most 200 times a second. A schedule that fell behind (clients blocked on
 * the in-flight window or on an election) restarts from now, without a burst.
 */
final class RatePacer {
    private static final int BURSTS_PER_SECOND = 200;
    private final int ratePerSecond;
    /** Next free proposal slot. */
    private final AtomicLong nextProposalNs;

    RatePacer(int ratePerSecond, long startNs) {
        if (ratePerSecond <= 0) {
            throw new IllegalArgumentException("rate must be > 0 proposals/s, got " + ratePerSecond);
        }
        this.ratePerSecond = ratePerSecond;
        this.nextProposalNs = new AtomicLong(startNs);
    }

    /** The most proposals a client sends at once: R/200, at least 1. */
    int burstMax() {
        return Math.max(1, ratePerSecond / BURSTS_PER_SECOND);
    }

    /** When the next {@code n} proposals may leave; reserves their slots. */
    long nextSlotNs(int n) {
        long intervalNs = n * 1_000_000_000L / ratePerSecond;
        while (true) {
            long now = System.nanoTime();
            long slot = nextProposalNs.get();
            long mine = slot - now < 0 ? now : slot;
            if (nextProposalNs.compareAndSet(slot, mine + intervalNs)) {
                return mine;
            }
        }
    }
}
