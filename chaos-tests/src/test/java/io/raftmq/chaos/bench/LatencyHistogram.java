package io.raftmq.chaos.bench;

/**
 * Log-linear histogram of non-negative values (microseconds here), owned by one thread: 64 power-of-two ranges of
 * 32 linear sub-buckets each, so a percentile (the lower bound of its bucket) understates by less than 1/32. Fixed
 * memory and no allocation per value; per-thread instances are {@link #add added} together after the threads end.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    static final int BUCKETS = (64 - SUB_BITS + 1) * SUB;
    private final long[] counts = new long[BUCKETS];
    private long total;

    void record(long value) {
        counts[bucket(Math.max(0, value))]++;
        total++;
    }

    static int bucket(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) (v >>> (exp - SUB_BITS)) & (SUB - 1);
        return (exp - SUB_BITS + 1) * SUB + sub;
    }

    /** Smallest value that falls in bucket {@code b}. */
    static long lowest(int b) {
        if (b < SUB) {
            return b;
        }
        int exp = b / SUB + SUB_BITS - 1;
        long sub = b % SUB;
        return (1L << exp) | (sub << (exp - SUB_BITS));
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
    }

    long count() {
        return total;
    }

    /** The value at quantile {@code q} in [0, 1] (lower bound of its bucket); 0 when empty. */
    long percentile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return lowest(i);
            }
        }
        throw new IllegalStateException("histogram total " + total + " exceeds its buckets' sum " + seen);
    }
}
