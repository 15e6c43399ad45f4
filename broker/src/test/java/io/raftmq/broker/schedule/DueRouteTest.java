package io.raftmq.broker.schedule;

import io.raftmq.broker.config.DelayLevels;
import io.raftmq.broker.processor.send.Placement;
import io.raftmq.broker.processor.send.SendRejectedException;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.SysFlag;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: where {@link DueRoute} stores a single sent message, with a manual clock: delay levels park in
 * SCHEDULE_TOPIC_XXXX (queue = clamped level - 1, REAL_TOPIC / REAL_QID added, timer properties dropped); timers
 * (TIMER_DELAY_SEC, TIMER_DELAY_MS, TIMER_DELIVER_MS) park in rmq_sys_wheel_timer queue 0 with TIMER_OUT_MS = the
 * deliver time; within the 1 s precision or in the past they are stored as sent; not a number or too far ahead is
 * 13; half messages and plain messages are untouched.
 */
class DueRouteTest {
    private static final long NOW = 1_700_000_000_000L;
    private final DueRoute route = new DueRoute(DelayLevels.parse("1s 2s 3s"), 3600, () -> NOW);

    private static Placement placement(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(MessageProperties.UNIQ_KEY, "U1");
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return new Placement("T", 3, MessageProperties.encode(m), 0);
    }

    private static SendMessageRequestHeader header(Placement p) {
        return new SendMessageRequestHeader("PG", p.topic(), "TBW102", 4, p.queueId(), 0, NOW, 0, p.properties(),
            0, false, false, null, "broker-a");
    }

    private Placement route(Placement p) throws SendRejectedException {
        return route.route(header(p), p);
    }

    private static String prop(Placement p, String name) {
        return MessageProperties.get(p.properties(), name);
    }

    @Test
    void plainMessagesAreUntouched() throws Exception {
        Placement p = placement(MessageProperties.TAGS, "a");
        assertThat(route(p)).isSameAs(p);
        Placement zero = placement(DueTime.DELAY, "0");
        assertThat(route(zero)).isSameAs(zero);
    }

    @Test
    void delayLevelParksInItsScheduleQueueClamped() throws Exception {
        Placement p = route(placement(DueTime.DELAY, "2"));
        assertThat(p.topic()).isEqualTo(DueTime.SCHEDULE_TOPIC);
        assertThat(p.queueId()).isEqualTo(1);
        assertThat(prop(p, DueTime.REAL_TOPIC)).isEqualTo("T");
        assertThat(prop(p, DueTime.REAL_QID)).isEqualTo("3");
        assertThat(prop(p, DueTime.DELAY)).isEqualTo("2");
        assertThat(prop(p, MessageProperties.UNIQ_KEY)).isEqualTo("U1");

        Placement clamped = route(placement(DueTime.DELAY, "18", DueTime.TIMER_DELAY_SEC, "60"));
        assertThat(clamped.queueId()).isEqualTo(2);
        assertThat(prop(clamped, DueTime.DELAY)).isEqualTo("3");
        assertThat(prop(clamped, DueTime.TIMER_DELAY_SEC)).as("the level wins").isNull();
    }

    @Test
    void timersParkWithTheirDeliverTime() throws Exception {
        Placement sec = route(placement(DueTime.TIMER_DELAY_SEC, "10"));
        assertThat(sec.topic()).isEqualTo(DueTime.TIMER_TOPIC);
        assertThat(sec.queueId()).isZero();
        assertThat(prop(sec, DueTime.TIMER_OUT_MS)).isEqualTo(Long.toString(NOW + 10_000));
        assertThat(prop(sec, DueTime.REAL_TOPIC)).isEqualTo("T");
        assertThat(prop(sec, DueTime.REAL_QID)).isEqualTo("3");
        assertThat(prop(sec, DueTime.TIMER_DELAY_SEC)).isEqualTo("10");
        assertThat(prop(route(placement(DueTime.TIMER_DELAY_MS, "1500")), DueTime.TIMER_OUT_MS))
            .isEqualTo(Long.toString(NOW + 1500));
        assertThat(prop(route(placement(DueTime.TIMER_DELIVER_MS, Long.toString(NOW + 7777))), DueTime.TIMER_OUT_MS))
            .isEqualTo(Long.toString(NOW + 7777));
        long dueMs = DueTime.dueMs(sec.topic(), sec.queueId(), NOW, sec.properties(), DelayLevels.parse("1s"));
        assertThat(dueMs).isEqualTo(NOW + 10_000);
    }

    @Test
    void timersWithinThePrecisionOrInThePastAreStoredAsSent() throws Exception {
        for (Placement p : new Placement[] {placement(DueTime.TIMER_DELAY_MS, "999"),
            placement(DueTime.TIMER_DELIVER_MS, Long.toString(NOW - 5000)), placement(DueTime.TIMER_DELAY_SEC, "-3")}) {
            assertThat(route(p)).isSameAs(p);
        }
    }

    @Test
    void illegalTimersAre13() {
        assertThatThrownBy(() -> route(placement(DueTime.TIMER_DELIVER_MS, "soon")))
            .isInstanceOf(SendRejectedException.class).hasMessageContaining("not a whole number")
            .extracting(e -> ((SendRejectedException) e).responseCode()).isEqualTo(13);
        assertThatThrownBy(() -> route(placement(DueTime.TIMER_DELAY_SEC, "3601")))
            .isInstanceOf(SendRejectedException.class).hasMessageContaining("timerMaxDelaySec")
            .extracting(e -> ((SendRejectedException) e).responseCode()).isEqualTo(13);
        assertThatThrownBy(() -> route(placement(DueTime.DELAY, "x")))
            .isInstanceOf(SendRejectedException.class).extracting(e -> ((SendRejectedException) e).responseCode())
            .isEqualTo(13);
    }

    @Test
    void halfAndRollbackMessagesAreNotParked() throws Exception {
        Placement half = placement(DueTime.DELAY, "1").withSysFlag(SysFlag.TRANSACTION_PREPARED);
        assertThat(route(half)).isSameAs(half);
        Placement inHalfTopic = new Placement("RMQ_SYS_TRANS_HALF_TOPIC", 0, placement(DueTime.DELAY, "1")
            .properties(), 0);
        assertThat(route(inHalfTopic)).isSameAs(inHalfTopic);
        Placement commit = placement(DueTime.DELAY, "1").withSysFlag(SysFlag.TRANSACTION_COMMIT);
        assertThat(route(commit).topic()).isEqualTo(DueTime.SCHEDULE_TOPIC);
    }
}
