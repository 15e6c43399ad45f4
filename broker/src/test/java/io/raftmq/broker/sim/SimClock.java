package io.raftmq.broker.sim;

import io.raftmq.commitlog.time.Clock;

/**
 * The simulated clock of a {@link BrokerSimulation}: one millisecond counter that only the event loop moves, read by
 * every member's commit log, send batcher and raft log (store timestamps), so a run replays exactly. Single thread.
 */
final class SimClock implements Clock {
    /** Wall time of simulated millisecond 0 (2026-01-01T00:00:00Z): store timestamps look like real ones. */
    static final long EPOCH_MS = 1_767_225_600_000L;
    private long nowMs;

    /** Moves the clock to {@code ms} (never backwards). */
    void advanceTo(long ms) {
        if (ms < nowMs) {
            throw new IllegalStateException("simulated time went back from " + nowMs + " to " + ms);
        }
        nowMs = ms;
    }

    long nowMs() {
        return nowMs;
    }

    @Override
    public long nanoTime() {
        return nowMs * 1_000_000L;
    }

    @Override
    public long wallMillis() {
        return EPOCH_MS + nowMs;
    }
}
