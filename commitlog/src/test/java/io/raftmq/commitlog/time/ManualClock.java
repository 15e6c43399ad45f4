package io.raftmq.commitlog.time;

import java.util.concurrent.TimeUnit;

/**
 * A {@link Clock} that moves only when a test tells it to, so time-dependent behaviour (timeouts, retention by age,
 * per-second rates, "today" totals) replays exactly. Both clocks advance together. Published in the commitlog
 * test-jar for the broker's tests.
 */
public final class ManualClock implements Clock {
    private volatile long nowNs;
    private volatile long wallMs;

    /** Starts at {@code nanoTime() == startNs} and {@code wallMillis() == startWallMs}. */
    public ManualClock(long startNs, long startWallMs) {
        this.nowNs = startNs;
        this.wallMs = startWallMs;
    }

    @Override
    public long nanoTime() {
        return nowNs;
    }

    @Override
    public long wallMillis() {
        return wallMs;
    }

    /** Moves both clocks forward by {@code amount} of {@code unit} (never backwards). */
    public synchronized void advance(long amount, TimeUnit unit) {
        if (amount < 0) {
            throw new IllegalArgumentException("a clock never goes back: " + amount);
        }
        nowNs += unit.toNanos(amount);
        wallMs += unit.toMillis(amount);
    }

    /** Moves both clocks forward by {@code ms} milliseconds. */
    public void advanceMs(long ms) {
        advance(ms, TimeUnit.MILLISECONDS);
    }
}
