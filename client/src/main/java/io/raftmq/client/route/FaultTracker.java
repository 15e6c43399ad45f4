package io.raftmq.client.route;

import io.raftmq.client.Verify;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Which broker addresses failed lately, and until when to avoid them: a latency fault tolerance in the spirit of the
 * official client's, kept small. Each failure of an address (connection loss, timeout, "not the leader") makes it
 * faulty for {@code backoffMsMin * 2^(failures-1)}, at most {@code backoffMsMax}; a success clears it, and a failure
 * more than {@code backoffMsMax} after the last window ended counts as the first of a new series. Senders
 * prefer addresses that are not faulty but still use a faulty one when nothing else is left, so an address is never
 * shut out for good. Thread-safe; the clock is injected (nanoseconds) so tests run without waiting.
 */
public final class FaultTracker {
    /** Failure counts beyond this no longer grow the window (2^20 times the minimum is past any maximum). */
    private static final int FAILURES_MAX = 20;

    private final long backoffNsMin;
    private final long backoffNsMax;
    private final LongSupplier clockNs;
    private final ConcurrentHashMap<String, Fault> faults = new ConcurrentHashMap<>();

    /** The state of one address: consecutive failures and the end of its faulty window. */
    private record Fault(int failures, long untilNs) {
    }

    public FaultTracker(long backoffMsMin, long backoffMsMax, LongSupplier clockNs) {
        Verify.argument(backoffMsMin >= 1, "fault backoff minimum must be >= 1 ms");
        Verify.argument(backoffMsMax >= backoffMsMin, "fault backoff maximum must be >= its minimum");
        this.backoffNsMin = backoffMsMin * 1_000_000L;
        this.backoffNsMax = backoffMsMax * 1_000_000L;
        this.clockNs = clockNs;
    }

    /** Records a failure of {@code addr}: faulty from now for a window twice as long as the last one. */
    public void markFailed(String addr) {
        long now = clockNs.getAsLong();
        faults.compute(addr, (k, f) -> {
            // a failure long after the last window ended starts a new series: old failures of a member that died
            // and came back (and was never sent to since, e.g. a follower) must not lengthen its next window
            boolean fresh = f == null || now - f.untilNs > backoffNsMax;
            int n = fresh ? 1 : Math.min(f.failures + 1, FAILURES_MAX);
            return new Fault(n, now + windowNs(n));
        });
    }

    /** Records a success of {@code addr}: not faulty any more. */
    public void markOk(String addr) {
        if (!faults.isEmpty()) {
            faults.remove(addr);
        }
    }

    /** Whether {@code addr} may be used now (no failure recorded, or its window is over). */
    public boolean isAvailable(String addr) {
        Fault f = faults.isEmpty() ? null : faults.get(addr);
        return f == null || clockNs.getAsLong() - f.untilNs >= 0;
    }

    /** The faulty window after {@code failures} consecutive failures, in ns. */
    long windowNs(int failures) {
        long w = backoffNsMin << Math.min(failures - 1, FAILURES_MAX);
        return w <= 0 || w > backoffNsMax ? backoffNsMax : w;
    }

    /** Consecutive failures of {@code addr} (0 if none recorded). */
    public int failures(String addr) {
        Fault f = faults.isEmpty() ? null : faults.get(addr);
        return f == null ? 0 : f.failures;
    }
}
