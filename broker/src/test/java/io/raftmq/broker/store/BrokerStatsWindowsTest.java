package io.raftmq.broker.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: {@link BrokerStatsWindows} gives exact sums, per-second rates (sum / window length) and per-call averages
 * over the minute (6 x 10 s), hour (6 x 10 min) and day (24 x 1 h) for known traffic at known times, ages traffic
 * out bucket by bucket, and reuses a slot of the ring for a later bucket without mixing in the old one.
 */
class BrokerStatsWindowsTest {
    private static final long S = 1_000_000_000L;

    private static BrokerStats.Figures minute(BrokerStatsWindows w, boolean ofBytes, long nowNs) {
        return w.figures(BrokerStatsWindows.Span.MINUTE, ofBytes, nowNs);
    }

    private static BrokerStats.Figures hour(BrokerStatsWindows w, boolean ofBytes, long nowNs) {
        return w.figures(BrokerStatsWindows.Span.HOUR, ofBytes, nowNs);
    }

    private static BrokerStats.Figures day(BrokerStatsWindows w, boolean ofBytes, long nowNs) {
        return w.figures(BrokerStatsWindows.Span.DAY, ofBytes, nowNs);
    }

    @Test
    void windowLengths() {
        assertThat(BrokerStatsWindows.Span.MINUTE.windowSeconds()).isEqualTo(60);
        assertThat(BrokerStatsWindows.Span.HOUR.windowSeconds()).isEqualTo(3600);
        assertThat(BrokerStatsWindows.Span.DAY.windowSeconds()).isEqualTo(86_400);
    }

    @Test
    void knownTrafficGivesExactFiguresPerWindow() {
        BrokerStatsWindows w = new BrokerStatsWindows(0);
        assertThat(day(w, false, 0)).isEqualTo(new BrokerStats.Figures(0, 0.0, 0.0));
        w.add(3, 300, 5 * S);             // minute bucket 0
        w.add(2, 200, 15 * S);            // minute bucket 1
        w.add(4, 400, 65 * S + S / 2);    // minute bucket 6
        long now = 65 * S + S / 2;
        // minute: the open bucket 6 and buckets 1..5: 2 + 4 messages in 2 calls
        assertThat(minute(w, false, now)).isEqualTo(new BrokerStats.Figures(6, 6 / 60.0, 3.0));
        assertThat(minute(w, true, now)).isEqualTo(new BrokerStats.Figures(600, 600 / 60.0, 300.0));
        assertThat(hour(w, false, now)).isEqualTo(new BrokerStats.Figures(9, 9 / 3600.0, 3.0));
        assertThat(day(w, true, now)).isEqualTo(new BrokerStats.Figures(900, 900 / 86_400.0, 300.0));
        assertThat(w.lastUpdateNs()).isEqualTo(now);
    }

    @Test
    void trafficAgesOutBucketByBucket() {
        BrokerStatsWindows w = new BrokerStatsWindows(0);
        w.add(9, 90, 5 * S);
        assertThat(minute(w, false, 59 * S).sum()).isEqualTo(9);  // bucket 5: buckets 0..5
        assertThat(minute(w, false, 60 * S).sum()).isZero();      // bucket 6: buckets 1..6
        assertThat(hour(w, false, 3599 * S).sum()).isEqualTo(9);
        assertThat(hour(w, false, 3600 * S).sum()).isZero();
        assertThat(day(w, false, 86_399 * S).sum()).isEqualTo(9);
        assertThat(day(w, false, 86_400 * S)).isEqualTo(new BrokerStats.Figures(0, 0.0, 0.0));
    }

    @Test
    void aReusedSlotHoldsOnlyItsNewBucket() {
        BrokerStatsWindows w = new BrokerStatsWindows(0);
        w.add(7, 70, 5 * S);               // day bucket 0, slot 0
        w.add(1, 10, 86_405 * S);          // day bucket 24, slot 0 again
        assertThat(day(w, false, 86_405 * S)).isEqualTo(new BrokerStats.Figures(1, 1 / 86_400.0, 1.0));
        assertThat(minute(w, true, 86_405 * S).sum()).isEqualTo(10);
    }
}
