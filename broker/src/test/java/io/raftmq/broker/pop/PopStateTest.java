package io.raftmq.broker.pop;

import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: {@link PopState} applies POP entries deterministically from the times in the entries: a pop hands out the
 * new range once (a second pop of the same range grants nothing), an offset comes back only once its invisible time
 * has passed (reconsume + 1), an ack or a change under a stale pop time changes nothing (inside a BATCH too, which
 * applies its changes in order), and two members applying the same entries hold byte-identical snapshots that
 * restore to the same state.
 */
class PopStateTest {
    private static final PopState.QueueKey Q = new PopState.QueueKey("g", "t", 0);

    private static PopEntry.Pop pop(long now, long nonce, long from, long to, Long... offsets) {
        return new PopEntry.Pop("g", "t", 0, now, 1000, nonce, from, to, List.of(offsets));
    }

    @Test
    void aRangeIsHandedOutOnceAndComesBackAfterItsInvisibleTime() {
        PopState s = new PopState();
        s.apply(pop(100, 1, 0, 3, 0L, 1L, 2L));
        s.apply(pop(100, 2, 0, 3, 0L, 1L, 2L)); // a concurrent pop of the same range: nothing
        assertThat(s.next(Q)).isEqualTo(3);
        assertThat(s.flights(Q)).containsOnlyKeys(0L, 1L, 2L).allSatisfy((o, f) -> assertThat(f.nonce()).isEqualTo(1));
        s.apply(pop(1099, 3, 3, 3, 0L)); // not expired yet at 1099
        assertThat(s.flight(Q, 0).nonce()).isEqualTo(1);
        s.apply(pop(1100, 4, 3, 3, 0L)); // expired at popTime + invisible
        assertThat(s.flight(Q, 0)).isEqualTo(new PopState.Flight(1100, 1000, 1, 4));
    }

    @Test
    void ackAndChangeOnlyUnderTheCurrentPopTime() {
        PopState s = new PopState();
        s.apply(pop(100, 1, 0, 2, 0L, 1L));
        s.apply(new PopEntry.Ack("g", "t", 0, 99, List.of(0L))); // stale handle
        assertThat(s.flights(Q)).containsOnlyKeys(0L, 1L);
        s.apply(new PopEntry.Ack("g", "t", 0, 100, List.of(0L, 7L)));
        assertThat(s.flights(Q)).containsOnlyKeys(1L);
        s.apply(new PopEntry.Change("g", "t", 0, 1, 99, 500, 5000)); // stale
        assertThat(s.flight(Q, 1).popTimeMs()).isEqualTo(100);
        s.apply(new PopEntry.Change("g", "t", 0, 1, 100, 500, 5000));
        assertThat(s.flight(Q, 1)).isEqualTo(new PopState.Flight(500, 5000, 0, 1));
        s.apply(pop(1200, 2, 2, 2, 1L)); // would have expired under the old invisible time
        assertThat(s.flight(Q, 1).nonce()).isEqualTo(1);
    }

    @Test
    void aBatchAppliesItsChangesInOrderAndAStaleOneFailsNothing() {
        PopState s = new PopState();
        s.apply(pop(100, 1, 0, 3, 0L, 1L, 2L));
        s.apply(new PopEntry.Batch(List.of(new PopEntry.Ack("g", "t", 0, 99, List.of(1L)), // stale handle
            new PopEntry.Ack("g", "t", 0, 100, List.of(0L)),
            new PopEntry.Change("g", "t", 0, 2, 100, 500, 5000),
            new PopEntry.Ack("g", "t", 0, 100, List.of(2L)))));  // under the pop time the change just replaced
        assertThat(s.flights(Q)).containsOnlyKeys(1L, 2L);
        assertThat(s.flight(Q, 1).popTimeMs()).isEqualTo(100);
        assertThat(s.flight(Q, 2)).isEqualTo(new PopState.Flight(500, 5000, 0, 1));
        s.apply(new PopEntry.Batch(List.of(new PopEntry.Ack("g", "t", 0, 100, List.of(1L)),
            new PopEntry.Ack("g", "t", 0, 500, List.of(2L)))));
        assertThat(s.flights(Q)).isEmpty();
    }

    @Test
    void offsetsFilteredOutOfARangeAreNeverInFlight() {
        PopState s = new PopState();
        s.apply(pop(100, 1, 0, 5, 1L, 3L));
        assertThat(s.next(Q)).isEqualTo(5);
        assertThat(s.flights(Q)).containsOnlyKeys(1L, 3L);
    }

    @Test
    void modesAreSetAndCleared() {
        PopState s = new PopState();
        s.apply(new PopEntry.Mode("t", "g", true, 2));
        assertThat(s.popShareQueueNum("t", "g")).isEqualTo(2);
        assertThat(s.popShareQueueNum("t", "h")).isNull();
        s.apply(new PopEntry.Mode("t", "g", false, 0));
        assertThat(s.popShareQueueNum("t", "g")).isNull();
    }

    @Test
    void ackedThroughIsTheFirstOffsetInFlightElseTheNextAndDeletionsDropTheState() {
        PopState s = new PopState();
        assertThat(s.ackedThrough(Q)).as("never popped").isEqualTo(-1);
        s.apply(pop(100, 1, 0, 3, 0L, 1L, 2L));
        assertThat(s.ackedThrough(Q)).isZero();
        s.apply(new PopEntry.Ack("g", "t", 0, 100, List.of(0L, 2L)));
        assertThat(s.ackedThrough(Q)).as("1 still in flight").isEqualTo(1);
        s.apply(new PopEntry.Ack("g", "t", 0, 100, List.of(1L)));
        assertThat(s.ackedThrough(Q)).isEqualTo(3);
        s.apply(new PopEntry.Mode("t", "g", true, 0));
        s.apply(new PopEntry.Mode("u", "g", true, 0));
        s.apply(new PopEntry.Pop("g", "u", 0, 100, 1000, 5, 0, 1, List.of(0L)));
        s.apply(new PopEntry.Pop("h", "t", 0, 100, 1000, 6, 0, 1, List.of(0L)));
        assertThat(s.topicsOf("g")).containsExactly("t", "u");
        s.onTopicDeleted("u");
        assertThat(s.topicsOf("g")).containsExactly("t");
        assertThat(s.popShareQueueNum("u", "g")).isNull();
        s.onGroupDropped("g");
        assertThat(s.ackedThrough(Q)).isEqualTo(-1);
        assertThat(s.popShareQueueNum("t", "g")).isNull();
        assertThat(s.topicsOf("h")).as("other groups keep theirs").containsExactly("t");
    }

    @Test
    void membersApplyingTheSameEntriesHoldTheSameSnapshot() {
        long seed = Seeds.seed("pop.seed");
        Random rnd = new Random(seed);
        List<PopEntry> log = new ArrayList<>();
        long now = 1000;
        for (int i = 0; i < 500; i++) {
            now += rnd.nextInt(300);
            log.add(randomEntry(rnd, now, i));
        }
        PopState a = new PopState();
        PopState b = new PopState();
        log.forEach(e -> a.apply(PopCodec.decode(PopCodec.encode(e))));
        log.forEach(b::apply);
        byte[] snapA = new PopSnapshotPart(a).save();
        assertThat(new PopSnapshotPart(b).save()).as("seed " + seed).isEqualTo(snapA);
        PopState restored = new PopState();
        new PopSnapshotPart(restored).load(snapA, null);
        assertThat(new PopSnapshotPart(restored).save()).as("seed " + seed).isEqualTo(snapA);
        new PopSnapshotPart(restored).loadAbsent(null);
        assertThat(restored.queues()).isEmpty();
        assertThat(restored.modes()).isEmpty();
    }

    private static PopEntry randomEntry(Random rnd, long now, int i) {
        String group = "g" + rnd.nextInt(2);
        int q = rnd.nextInt(3);
        return switch (rnd.nextInt(4)) {
            case 0 -> new PopEntry.Mode("t", group, rnd.nextBoolean(), rnd.nextInt(3));
            case 1 -> {
                long from = rnd.nextInt(20);
                long to = from + rnd.nextInt(4);
                List<Long> offs = new ArrayList<>();
                for (long o = Math.max(0, from - 3); o < to; o++) {
                    if (rnd.nextBoolean()) {
                        offs.add(o);
                    }
                }
                yield new PopEntry.Pop(group, "t", q, now, 200 + rnd.nextInt(500), i, from, to, offs);
            }
            case 2 -> new PopEntry.Ack(group, "t", q, now - rnd.nextInt(600), List.of((long) rnd.nextInt(20)));
            default -> new PopEntry.Change(group, "t", q, rnd.nextInt(20), now - rnd.nextInt(600), now, 300);
        };
    }
}
