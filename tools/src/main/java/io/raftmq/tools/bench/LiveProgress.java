package io.raftmq.tools.bench;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The benchmarks' live progress on stderr, once a second: how many things (messages sent, commits, messages
 * consumed) a counter gained in that second, and its total, e.g. {@code send: 12,410/s (total 124,876)}. Either a
 * background reporter for a run of fixed length ({@link #start}, closed at its end), or a wait for a counter to
 * reach a goal that reports as it goes and gives up when the counter stalls ({@link #awaitCount}). The RESULT lines
 * stay on stdout, so scripts that read them are not disturbed.
 */
public final class LiveProgress implements AutoCloseable {
    private static final long PERIOD_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Thread reporter;
    private volatile boolean stopped;

    private LiveProgress(String what, LongSupplier counter) {
        reporter = new Thread(() -> report(what, counter), "bench-progress");
        reporter.setDaemon(true);
        reporter.start();
    }

    /** Reports {@code counter} under {@code what} every second until closed. */
    public static LiveProgress start(String what, LongSupplier counter) {
        return new LiveProgress(what, counter);
    }

    private void report(String what, LongSupplier counter) {
        long last = counter.getAsLong();
        long next = System.nanoTime() + PERIOD_NS;
        while (!stopped) {
            LockSupport.parkNanos(Math.max(1, next - System.nanoTime()));
            if (stopped) {
                return;
            }
            if (System.nanoTime() - next >= 0) {
                long now = counter.getAsLong();
                print(what, now - last, now);
                last = now;
                next += PERIOD_NS;
            }
        }
    }

    /**
     * Waits until {@code counter} reaches {@code goal}, or has not moved for {@code stallMaxMs} (the caller then
     * reports what it got and fails its own check), printing the progress every second.
     */
    public static void awaitCount(String what, LongSupplier counter, long goal, long stallMaxMs) {
        long last = -1;
        long lastChangeNs = System.nanoTime();
        long printed = counter.getAsLong();
        long nextPrint = System.nanoTime() + PERIOD_NS;
        long now;
        while ((now = counter.getAsLong()) < goal) {
            LockSupport.parkNanos(POLL_NS);
            long t = System.nanoTime();
            if (now != last) {
                last = now;
                lastChangeNs = t;
            } else if (t - lastChangeNs > TimeUnit.MILLISECONDS.toNanos(stallMaxMs)) {
                return;
            }
            if (t - nextPrint >= 0) {
                print(what, now - printed, now);
                printed = now;
                nextPrint += PERIOD_NS;
            }
        }
    }

    private static void print(String what, long inSecond, long total) {
        System.err.printf(Locale.ROOT, "%s: %,d/s (total %,d)%n", what, inSecond, total);
    }

    @Override
    public void close() {
        stopped = true;
        LockSupport.unpark(reporter);
    }
}
