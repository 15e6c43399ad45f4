package io.raftmq.broker.lock;

import io.raftmq.client.protocol.body.MessageQueue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the replicated lock table follows RocketMQ's lock rule (free, same client or expired), counts expiry from
 * the times written in the entries only (an injected clock: no sleeps), renews every lock at the proposing leader's
 * ready time, and two members applying the same entries hold the same table (seeded random histories).
 */
class QueueLockTableTest {
    private static final long EXPIRY = 60_000;
    private static final MessageQueue Q0 = new MessageQueue("t", "b", 0);
    private static final MessageQueue Q1 = new MessageQueue("t", "b", 1);

    private static QueueLockEntry lock(String client, long now, MessageQueue... qs) {
        return new QueueLockEntry(true, now, 0, EXPIRY, "g", client, List.of(qs));
    }

    @Test
    void grantsFreeQueuesAndRenewsTheHolderButNotOthers() {
        QueueLockTable t = new QueueLockTable();
        assertThat(t.apply(lock("a", 1000, Q0))).containsExactly(Q0);
        assertThat(t.apply(lock("b", 2000, Q0, Q1))).containsExactly(Q1);
        assertThat(t.apply(lock("a", 50_000, Q0, Q1))).containsExactly(Q0);
        assertThat(t.holder("g", Q0)).isEqualTo("a");
        assertThat(t.holder("other", Q0)).isNull();
        assertThat(t.apply(new QueueLockEntry(true, 3000, 0, EXPIRY, "other", "b", List.of(Q0))))
            .as("locks are per group").containsExactly(Q0);
    }

    @Test
    void aLockLapsesExpiryAfterTheLastLockCall() {
        QueueLockTable t = new QueueLockTable();
        t.apply(lock("a", 1000, Q0));
        t.apply(lock("a", 31_000, Q0));
        assertThat(t.apply(lock("b", 31_000 + EXPIRY, Q0))).as("exactly at expiry: still held").isEmpty();
        assertThat(t.heldBy("g", "a", List.of(Q0), 31_000 + EXPIRY, EXPIRY)).containsExactly(Q0);
        assertThat(t.heldBy("g", "a", List.of(Q0), 31_001 + EXPIRY, EXPIRY)).isEmpty();
        assertThat(t.apply(lock("b", 31_001 + EXPIRY, Q0))).containsExactly(Q0);
        assertThat(t.holder("g", Q0)).isEqualTo("b");
    }

    @Test
    void aNewLeaderCountsEveryLockAsRenewedWhenItBecameReady() {
        QueueLockTable t = new QueueLockTable();
        t.apply(lock("a", 1000, Q0));
        long ready = 40_000;
        QueueLockEntry late = new QueueLockEntry(true, 1001 + EXPIRY, ready, EXPIRY, "g", "b", List.of(Q0));
        assertThat(t.apply(late)).as("expired by the old leader's time, renewed at readiness").isEmpty();
        QueueLockEntry later = new QueueLockEntry(true, ready + EXPIRY + 1, ready, EXPIRY, "g", "b", List.of(Q0));
        assertThat(t.apply(later)).containsExactly(Q0);
    }

    @Test
    void unlockReleasesOnlyTheCallersQueues() {
        QueueLockTable t = new QueueLockTable();
        t.apply(lock("a", 1000, Q0));
        t.apply(lock("b", 1000, Q1));
        t.apply(new QueueLockEntry(false, 2000, 0, EXPIRY, "g", "a", List.of(Q0, Q1)));
        assertThat(t.holder("g", Q0)).isNull();
        assertThat(t.holder("g", Q1)).isEqualTo("b");
        assertThat(t.apply(lock("c", 2001, Q0))).containsExactly(Q0);
    }

    @Test
    void aFullTableDropsExpiredLocksFirstThenRefuses() {
        QueueLockTable t = new QueueLockTable(2);
        t.apply(lock("a", 1000, Q0, Q1));
        MessageQueue q2 = new MessageQueue("t", "b", 2);
        assertThat(t.apply(lock("b", 2000, q2))).isEmpty();
        assertThat(t.apply(lock("b", 1001 + EXPIRY, q2))).containsExactly(q2);
        assertThat(t.size()).isEqualTo(1);
    }

    @Test
    void membersApplyingTheSameEntriesHoldTheSameTable() {
        long seed = Long.getLong("test.seed", System.nanoTime());
        System.out.println("QueueLockTableTest seed=" + seed);
        Random r = new Random(seed);
        List<QueueLockEntry> log = new ArrayList<>();
        long now = 0;
        for (int i = 0; i < 2000; i++) {
            now += r.nextInt(20_000);
            List<MessageQueue> qs = new ArrayList<>();
            for (int q = 0; q < 8; q++) {
                if (r.nextBoolean()) {
                    qs.add(new MessageQueue("t", "b", q));
                }
            }
            log.add(new QueueLockEntry(r.nextInt(5) > 0, now, r.nextBoolean() ? 0 : now / 2, EXPIRY,
                "g" + r.nextInt(2), "c" + r.nextInt(3), qs));
        }
        QueueLockTable a = new QueueLockTable(10);
        QueueLockTable b = new QueueLockTable(10);
        for (QueueLockEntry e : log) {
            List<MessageQueue> granted = a.apply(QueueLockCodec.decode(QueueLockCodec.encode(e)));
            assertThat(b.apply(e)).isEqualTo(granted);
            for (MessageQueue q : granted) {
                assertThat(a.holder(e.group(), q)).isEqualTo(e.clientId());
            }
        }
        for (int g = 0; g < 2; g++) {
            for (int q = 0; q < 8; q++) {
                MessageQueue mq = new MessageQueue("t", "b", q);
                assertThat(a.holder("g" + g, mq)).isEqualTo(b.holder("g" + g, mq));
            }
        }
    }
}
