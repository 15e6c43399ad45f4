package io.raftmq.broker.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: {@link BrokerStatsTable} never tracks more than its limit: a new key at the limit drops the keys idle for a
 * day, or else the least recently updated key, and keeps the others' figures.
 */
class BrokerStatsTableTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aNewKeyAtTheLimitDropsTheLeastRecentlyUpdated() {
        BrokerStatsTable t = new BrokerStatsTable(2);
        t.record("a", 1, 10, 0);
        t.record("b", 1, 10, S);
        t.record("a", 1, 10, 2 * S);
        t.record("c", 1, 10, 3 * S);
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.get("b")).isNull();
        assertThat(t.get("a").figures(BrokerStatsWindows.Span.MINUTE, false, 3 * S).sum()).isEqualTo(2);
        assertThat(t.get("c")).isNotNull();
    }

    @Test
    void keysIdleForADayAreAllDroppedFirst() {
        BrokerStatsTable t = new BrokerStatsTable(3);
        t.record("a", 1, 10, 0);
        t.record("b", 1, 10, S);
        t.record("c", 1, 10, 86_400 * S);
        t.record("d", 1, 10, 86_401 * S); // a and b idle for a day: both go
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.get("a")).isNull();
        assertThat(t.get("b")).isNull();
        assertThat(t.get("c")).isNotNull();
        assertThat(t.get("d")).isNotNull();
    }

    @Test
    void knownKeysNeverEvict() {
        BrokerStatsTable t = new BrokerStatsTable(1);
        for (int i = 0; i < 10; i++) {
            t.record("a", 2, 20, i * S);
        }
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.get("a").figures(BrokerStatsWindows.Span.MINUTE, false, 9 * S).sum()).isEqualTo(20);
    }
}
