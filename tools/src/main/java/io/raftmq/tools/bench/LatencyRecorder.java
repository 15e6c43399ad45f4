package io.raftmq.tools.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The one latency histogram of every benchmark: an HdrHistogram {@link Recorder} (three significant digits, so a
 * percentile is within 0.1% of the true value) that any number of threads record into, wait-free and without
 * allocation, always in nanoseconds. After the run, {@link #snapshot()} gives what was recorded since the previous
 * snapshot; the benchmarks print its percentiles in the units of their {@code RESULT} lines.
 */
public final class LatencyRecorder {
    private static final int SIGNIFICANT_DIGITS = 3;
    private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);

    /** Records one latency; negative values (a clock that went backwards) count as 0. */
    public void recordNanos(long nanos) {
        recorder.recordValue(Math.max(0, nanos));
    }

    /** Everything recorded since the previous snapshot (or since creation), as an immutable view. */
    public Snapshot snapshot() {
        return new Snapshot(recorder.getIntervalHistogram());
    }

    /** Percentiles of recorded latencies. */
    public static final class Snapshot {
        private final Histogram histogram;

        Snapshot(Histogram histogram) {
            this.histogram = histogram;
        }

        public long count() {
            return histogram.getTotalCount();
        }

        /** The latency (ns) at quantile {@code q} in [0, 1]; 0 when nothing was recorded. */
        public long quantileNanos(double q) {
            if (q < 0 || q > 1) {
                throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
            }
            return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(q * 100);
        }

        public double quantileMicros(double q) {
            return quantileNanos(q) / 1e3;
        }

        public double quantileMillis(double q) {
            return quantileNanos(q) / 1e6;
        }
    }
}
