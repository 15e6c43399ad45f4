package io.raftmq.naming.route;

/** A {@link Clock} that moves only when a test advances it. */
public final class ManualClock implements Clock {
    private long nowMs;

    public ManualClock(long startMs) {
        this.nowMs = startMs;
    }

    @Override
    public synchronized long nowMs() {
        return nowMs;
    }

    /** Moves time forward by {@code deltaMs}. */
    public synchronized void advance(long deltaMs) {
        if (deltaMs < 0) {
            throw new IllegalArgumentException("time never goes back");
        }
        nowMs += deltaMs;
    }
}
