package io.raftmq.broker.lock;

import java.util.function.LongSupplier;

/**
 * When this member became a ready leader ({@code replication.LeaderReadiness}) in its current term, by the wall
 * clock: the moment from which a new leader counts every held queue lock as renewed (docs/messaging.md "Ordered
 * consumption"). Readiness is observed, not pushed: {@link #observe} runs on the broker scheduler each time the raft
 * agent reports a change of role, term, leader or applied term (the member becomes ready when it applies an entry of
 * its own term), once a second as a safety net, and on every lock call; so the recorded time is one thread hand-off
 * late (at most a second if a report were missed), which can only make locks last longer.
 *
 * <p>Threads: any.
 */
public final class ReadyTime {
    private final LongSupplier readyTerm;
    private final LongSupplier clockMs;
    private long term;
    private long sinceMs;

    /**
     * @param readyTerm the term in which this member is a ready leader, 0 when it is not
     * @param clockMs   the wall clock, in ms
     */
    public ReadyTime(LongSupplier readyTerm, LongSupplier clockMs) {
        this.readyTerm = readyTerm;
        this.clockMs = clockMs;
    }

    /** Looks at readiness now; returns when this member became ready in its current term, or -1 if it is not. */
    public synchronized long observe() {
        long t = readyTerm.getAsLong();
        if (t == 0) {
            return -1;
        }
        if (t != term) {
            term = t;
            sinceMs = clockMs.getAsLong();
        }
        return sinceMs;
    }
}
