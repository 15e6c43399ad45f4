package io.raftmq.chaos;

import io.raftmq.chaos.check.DeliveryChecker;
import io.raftmq.chaos.check.History;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The checker's verdicts on small hand-written histories: lost, duplicated, unknown-outcome and phantom values. */
class DeliveryCheckerTest {
    @Test
    void everyAcknowledgedValueConsumedIsValidAndDuplicatesAreCounted() {
        History h = new History();
        send(h, "a", true);
        send(h, "b", true);
        send(h, "c", false); // timed out: may or may not be stored
        h.ok("c1", "consume", "a", "");
        h.ok("c1", "consume", "b", "");
        h.ok("c1", "consume", "b", "");
        h.ok("c1", "consume", "c", "");

        DeliveryChecker.Result r = DeliveryChecker.check(h);

        assertThat(r.valid()).isTrue();
        assertThat(r.acknowledged()).isEqualTo(2);
        assertThat(r.consumed()).isEqualTo(4);
        assertThat(r.duplicates()).isEqualTo(1);
        assertThat(r.unackedPresent()).isEqualTo(1);
        assertThat(r.lost()).isEmpty();
    }

    @Test
    void anAcknowledgedValueNeverConsumedIsLost() {
        History h = new History();
        send(h, "a", true);
        send(h, "b", true);
        send(h, "c", false);
        h.ok("c1", "consume", "b", "");

        DeliveryChecker.Result r = DeliveryChecker.check(h);

        assertThat(r.valid()).isFalse();
        assertThat(r.lost()).containsExactly("a");
        assertThat(r.toString()).contains("lost=1 [a]");
    }

    @Test
    void aConsumedValueThatWasNeverSentIsAPhantom() {
        History h = new History();
        send(h, "a", true);
        h.ok("c1", "consume", "a", "");
        h.ok("c1", "consume", "z", "");

        DeliveryChecker.Result r = DeliveryChecker.check(h);

        assertThat(r.valid()).isFalse();
        assertThat(r.phantoms()).containsExactly("z");
    }

    @Test
    void firstAfterFindsTheFirstMatchingEventAtOrAfterATime() {
        History h = new History();
        h.ok("p", "send", "a", "");
        long kill = h.info("nemesis", "kill", "n0", "");
        h.invoke("p", "send", "b");
        long okB = h.ok("p", "send", "b", "");

        assertThat(h.firstAfter(History.Type.OK, "send", kill).value()).isEqualTo("b");
        assertThat(h.firstAfter(History.Type.OK, "send", kill).nanos()).isEqualTo(okB);
        assertThat(h.firstAfter(History.Type.FAIL, "send", kill)).isNull();
    }

    private static void send(History h, String v, boolean acked) {
        h.invoke("p", "send", v);
        if (acked) {
            h.ok("p", "send", v, "");
        } else {
            h.info("p", "send", v, "timeout");
        }
    }
}
