package io.raftmq.broker.store;

/**
 * Events per second over sliding windows of whole seconds: a ring of per-second counts covering the last
 * {@value #SECONDS_KEPT} seconds, advanced by the caller's monotonic time (no thread of its own). The rate over a
 * window of {@code w} seconds at second {@code s} is the count of the complete seconds [s - w, s) divided by
 * {@code w}; while the window is not yet full (the broker started less than {@code w} seconds ago) it is the count
 * since the start divided by the complete seconds since the start, so the figure is always a number.
 *
 * <p>Threading: any thread; methods are synchronized (a few array writes each).
 */
final class RateWindow {
    /** Seconds of history: enough for the 10-minute rate. */
    static final int SECONDS_KEPT = 600;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** counts[s % length] = events in second s, for s in (current - length, current]. */
    private final long[] counts = new long[SECONDS_KEPT + 1];
    private final long startSecond;
    private long currentSecond;

    /** @param startNs the monotonic time the window starts at */
    RateWindow(long startNs) {
        this.startSecond = Math.floorDiv(startNs, NANOS_PER_SECOND);
        this.currentSecond = startSecond;
    }

    /** Counts {@code n} events at monotonic time {@code nowNs}. */
    synchronized void add(long n, long nowNs) {
        advance(nowNs);
        counts[slot(currentSecond)] += n;
    }

    /** Events per second over the last {@code seconds} complete seconds before {@code nowNs} (see class comment). */
    synchronized double perSecond(int seconds, long nowNs) {
        if (seconds < 1 || seconds > SECONDS_KEPT) {
            throw new IllegalArgumentException("window of " + seconds + " s outside [1, " + SECONDS_KEPT + "]");
        }
        advance(nowNs);
        long from = Math.max(startSecond, currentSecond - seconds);
        long span = currentSecond - from;
        if (span <= 0) {
            return 0.0;
        }
        long sum = 0;
        for (long s = from; s < currentSecond; s++) {
            sum += counts[slot(s)];
        }
        return (double) sum / span;
    }

    private void advance(long nowNs) {
        long now = Math.floorDiv(nowNs, NANOS_PER_SECOND);
        if (now <= currentSecond) {
            return;
        }
        long clear = Math.min(now - currentSecond, counts.length);
        for (long i = 1; i <= clear; i++) {
            counts[slot(currentSecond + i)] = 0;
        }
        currentSecond = now;
    }

    private int slot(long second) {
        return (int) Math.floorMod(second, (long) counts.length);
    }
}
