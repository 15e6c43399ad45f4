package io.raftmq.tools.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The shared latency recorder: percentiles within 0.1% of the exact ones, units converted from nanoseconds, records
 * from several threads all counted, and each snapshot holds only what came after the previous one.
 */
class LatencyRecorderTest {

    @Test
    void percentilesAreWithinATenthOfAPercent() {
        LatencyRecorder r = new LatencyRecorder();
        for (long us = 1; us <= 10_000; us++) {
            r.recordNanos(TimeUnit.MICROSECONDS.toNanos(us));
        }
        LatencyRecorder.Snapshot s = r.snapshot();
        assertThat(s.count()).isEqualTo(10_000);
        assertThat(s.quantileMicros(0.50)).isCloseTo(5000, org.assertj.core.data.Percentage.withPercentage(0.1));
        assertThat(s.quantileMicros(0.99)).isCloseTo(9900, org.assertj.core.data.Percentage.withPercentage(0.1));
        assertThat(s.quantileMillis(1.0)).isCloseTo(10.0, org.assertj.core.data.Percentage.withPercentage(0.1));
        assertThat(s.quantileNanos(0.5)).isEqualTo((long) (s.quantileMicros(0.5) * 1e3));
    }

    @Test
    void emptyNegativeAndBadQuantile() {
        LatencyRecorder r = new LatencyRecorder();
        assertThat(r.snapshot().quantileMicros(0.99)).isZero();
        r.recordNanos(-5);
        LatencyRecorder.Snapshot s = r.snapshot();
        assertThat(s.count()).isEqualTo(1);
        assertThat(s.quantileNanos(1.0)).isZero();
        assertThatThrownBy(() -> s.quantileNanos(99)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recordsFromManyThreadsAndSnapshotsAreIntervals() throws InterruptedException {
        LatencyRecorder r = new LatencyRecorder();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 25_000; i++) {
                    r.recordNanos(1_000 + i);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(r.snapshot().count()).isEqualTo(100_000);
        r.recordNanos(7);
        assertThat(r.snapshot().count()).as("only what came after the previous snapshot").isEqualTo(1);
    }
}
