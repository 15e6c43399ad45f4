package io.raftmq.raft.driver;

/** A {@link NanoClock} that moves only when told to: tests and simulations replay exactly. */
public final class ManualClock implements NanoClock {
    private volatile long nowNs;

    public ManualClock(long startNs) {
        this.nowNs = startNs;
    }

    @Override
    public long nanoTime() {
        return nowNs;
    }

    public void advanceMs(long ms) {
        nowNs += ms * 1_000_000L;
    }
}
