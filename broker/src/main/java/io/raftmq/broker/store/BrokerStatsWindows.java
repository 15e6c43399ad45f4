package io.raftmq.broker.store;

import java.util.Arrays;

/**
 * The traffic of one statistics key (a topic, or a topic and consumer group) over the last minute, hour and day,
 * as mqadmin's statsAll and the dashboard read it through VIEW_BROKER_STATS_DATA: per window, the messages, the
 * bytes and the recorded calls (one send request or one pull answered with messages each).
 *
 * <p>Each window is a ring of buckets aligned to whole multiples of the bucket length on the caller's monotonic
 * clock: the minute is 6 buckets of 10 s, the hour 6 of 10 min, the day 24 of 1 h (the sampling periods of
 * RocketMQ's statistics). A window's figures are the sum of the current, still open bucket and the buckets before
 * it, so they cover the window's length less at most one bucket, and traffic shows up at once. A slot remembers
 * which bucket it holds; a slot from an older pass round the ring counts as empty, so nothing has to advance.
 *
 * <p>Threading: any thread; methods synchronize on this (a few array reads or writes each). No allocation on
 * {@link #add}.
 */
final class BrokerStatsWindows {
    /** The windows, with their bucket length and bucket count; their product is the window length. */
    enum Span {
        MINUTE(10, 6), HOUR(600, 6), DAY(3600, 24);

        final int bucketSeconds;
        final int buckets;

        Span(int bucketSeconds, int buckets) {
            this.bucketSeconds = bucketSeconds;
            this.buckets = buckets;
        }

        /** The length of the window, in seconds (tps divides by it). */
        int windowSeconds() {
            return bucketSeconds * buckets;
        }
    }

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long EMPTY = Long.MIN_VALUE;
    private static final Span[] SPANS = Span.values();

    /** Per span and slot: the bucket number the slot holds (EMPTY before the first), messages, bytes, calls. */
    private final long[][] bucket = new long[SPANS.length][];
    private final long[][] messages = new long[SPANS.length][];
    private final long[][] bytes = new long[SPANS.length][];
    private final long[][] calls = new long[SPANS.length][];
    private long lastUpdateNs;

    BrokerStatsWindows(long nowNs) {
        for (Span s : SPANS) {
            int i = s.ordinal();
            bucket[i] = new long[s.buckets];
            Arrays.fill(bucket[i], EMPTY);
            messages[i] = new long[s.buckets];
            bytes[i] = new long[s.buckets];
            calls[i] = new long[s.buckets];
        }
        this.lastUpdateNs = nowNs;
    }

    /** Counts one call that carried {@code messageCount} messages of {@code byteCount} bytes at {@code nowNs}. */
    synchronized void add(long messageCount, long byteCount, long nowNs) {
        long second = Math.floorDiv(nowNs, NANOS_PER_SECOND);
        for (Span s : SPANS) {
            int i = s.ordinal();
            long b = Math.floorDiv(second, s.bucketSeconds);
            int slot = (int) Math.floorMod(b, (long) s.buckets);
            if (bucket[i][slot] != b) {
                bucket[i][slot] = b;
                messages[i][slot] = 0;
                bytes[i][slot] = 0;
                calls[i][slot] = 0;
            }
            messages[i][slot] += messageCount;
            bytes[i][slot] += byteCount;
            calls[i][slot]++;
        }
        lastUpdateNs = Math.max(lastUpdateNs, nowNs);
    }

    /** The figures of {@code span} at {@code nowNs}: of the bytes if {@code ofBytes}, else of the messages. */
    synchronized BrokerStats.Figures figures(Span span, boolean ofBytes, long nowNs) {
        int i = span.ordinal();
        long current = Math.floorDiv(Math.floorDiv(nowNs, NANOS_PER_SECOND), span.bucketSeconds);
        long[] values = ofBytes ? bytes[i] : messages[i];
        long sum = 0;
        long callSum = 0;
        for (int slot = 0; slot < span.buckets; slot++) {
            long b = bucket[i][slot];
            if (b != EMPTY && b <= current && b > current - span.buckets) {
                sum += values[slot];
                callSum += calls[i][slot];
            }
        }
        double avgpt = callSum == 0 ? 0.0 : (double) sum / callSum;
        return new BrokerStats.Figures(sum, (double) sum / span.windowSeconds(), avgpt);
    }

    /** Monotonic time (ns) of the latest {@link #add}, or of the creation before any. */
    synchronized long lastUpdateNs() {
        return lastUpdateNs;
    }
}
