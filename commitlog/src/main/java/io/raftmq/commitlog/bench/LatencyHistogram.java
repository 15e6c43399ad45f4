package io.raftmq.commitlog.bench;

/**
 * A tiny log-linear latency histogram (16 sub-buckets per power of two, so a reported percentile is the upper bound
 * of a bucket and overstates the true value by at most 1/16). One instance per thread, merged at the end; no
 * allocation when recording.
 */
final class LatencyHistogram {
    private static final int SUB = 16;
    private final long[] counts = new long[64 * SUB];
    private long total;

    void record(long valueNs) {
        long v = Math.max(1, valueNs);
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int sub = msb < 4 ? (int) v & (SUB - 1) : (int) ((v >>> (msb - 4)) & (SUB - 1));
        counts[msb * SUB + sub]++;
        total++;
    }

    void merge(LatencyHistogram o) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += o.counts[i];
        }
        total += o.total;
    }

    long count() {
        return total;
    }

    /** Upper bound (ns) of the bucket holding the {@code q} quantile, q in (0, 1]. */
    long quantileNs(double q) {
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank && counts[i] > 0) {
                return upperBound(i);
            }
        }
        return 0;
    }

    private static long upperBound(int bucket) {
        int msb = bucket / SUB;
        int sub = bucket % SUB;
        if (msb < 4) {
            return sub + 1;
        }
        return ((long) (SUB + sub + 1)) << (msb - 4);
    }
}
