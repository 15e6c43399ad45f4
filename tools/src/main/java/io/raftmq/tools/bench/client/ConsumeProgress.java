package io.raftmq.tools.bench.client;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The consume benches' wait: returns once a counter reaches its goal, or once it has not moved for a stall limit
 * (the run then reports what it got and fails its own check).
 */
final class ConsumeProgress {
    private static final long POLL_MS = 50;

    private ConsumeProgress() {
    }

    /** Waits until {@code counter} is at least {@code goal}, or has not changed for {@code stallMaxMs}. */
    static void await(LongAdder counter, long goal, long stallMaxMs) {
        long last = -1;
        long lastChangeNs = System.nanoTime();
        while (counter.sum() < goal) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
            long now = counter.sum();
            if (now != last) {
                last = now;
                lastChangeNs = System.nanoTime();
            } else if (System.nanoTime() - lastChangeNs > TimeUnit.MILLISECONDS.toNanos(stallMaxMs)) {
                return;
            }
        }
    }
}
