package io.raftmq.raft.driver;

import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Measures apply catch-ups of one {@link RaftAgent}: a catch-up is a run of apply slices that each ended with
 * entries still queued (the slice ran out of time), closed by the slice that empties the queue. A catch-up that
 * lasted at least {@link #REPORT_NS} is logged at INFO with its entries, apply time, wall time, slice count, the
 * longest slice and the apply lag (commit index minus applied index) it started from: where a restarted or
 * lagging member spends its time, and proof that the agent kept cycling meanwhile. Agent thread only.
 */
final class ApplyStats {
    /** Catch-ups shorter than this are not logged. */
    static final long REPORT_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Logger log;
    private boolean inCatchUp;
    private long startNs;
    private long startLag;
    private long entries;
    private long applyNs;
    private long slices;
    private long longestSliceNs;

    ApplyStats(Logger log) {
        this.log = log;
    }

    /** One slice: {@code n} entries applied in {@code elapsedNs} from {@code sliceStartNs}. */
    void slice(long nodeId, long sliceStartNs, int n, long elapsedNs, boolean drained, long lag) {
        if (!inCatchUp) {
            if (drained) {
                return; // the common case: everything fit in one slice
            }
            inCatchUp = true;
            startNs = sliceStartNs;
            startLag = lag + n;
            entries = 0;
            applyNs = 0;
            slices = 0;
            longestSliceNs = 0;
        }
        entries += n;
        applyNs += elapsedNs;
        slices++;
        longestSliceNs = Math.max(longestSliceNs, elapsedNs);
        if (drained) {
            inCatchUp = false;
            long wallNs = sliceStartNs + elapsedNs - startNs;
            if (wallNs >= REPORT_NS) {
                log.info("raft node {} apply catch-up: {} entries (lag {} at start) in {} ms wall, {} ms applying,"
                    + " {} slices, longest {} ms", nodeId, entries, startLag, ms(wallNs), ms(applyNs), slices,
                    ms(longestSliceNs));
            }
        }
    }

    private static long ms(long ns) {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }
}
