package io.raftmq.broker.schedule;

import io.raftmq.broker.config.DelayLevels;
import io.raftmq.broker.processor.send.Placement;
import io.raftmq.broker.processor.send.SendRejectedException;
import io.raftmq.broker.processor.send.SendRoute;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.SysFlag;

import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The last send route: parks a message that must wait (docs/messaging.md "Delay levels and timer messages").
 * <ul>
 *   <li>DELAY level &gt; 0 (clamped to the configured levels): stored in {@link DueTime#SCHEDULE_TOPIC}, queue =
 *       level - 1, with REAL_TOPIC / REAL_QID added and DELAY set to the clamped level. Timer properties on the same
 *       message are dropped: the level wins (RocketMQ's rule).</li>
 *   <li>Timer (TIMER_DELAY_SEC, else TIMER_DELAY_MS, else TIMER_DELIVER_MS, RocketMQ 5's order): the deliver time is
 *       computed from the broker's clock; not a number, or more than {@code timerMaxDelaySec} ahead: 13 with a
 *       remark. Less than {@link #PRECISION_MS} ahead (or in the past): stored as sent, hence delivered at once.
 *       Else stored in {@link DueTime#TIMER_TOPIC} queue 0 with TIMER_OUT_MS = the deliver time (not rounded:
 *       never delivered before it), REAL_TOPIC and REAL_QID.</li>
 * </ul>
 * Half and rollback messages and messages already in a parking topic are left alone (transaction route first).
 *
 * <p>Threads: any I/O thread; stateless. Plain messages cost two substring scans of the properties.
 */
public final class DueRoute implements SendRoute {
    /** Timer precision: a timer due within this is not parked. */
    public static final long PRECISION_MS = 1000;
    private static final String HALF_TOPIC = "RMQ_SYS_TRANS_HALF_TOPIC";

    private final DelayLevels levels;
    private final long timerMaxDelayMs;
    private final LongSupplier clockMs;

    /**
     * @param levels           the delay-level setting
     * @param timerMaxDelaySec the furthest a timer may be scheduled ahead
     * @param clockMs          wall-clock ms (the broker's clock: the same one that stamps store timestamps)
     */
    public DueRoute(DelayLevels levels, long timerMaxDelaySec, LongSupplier clockMs) {
        this.levels = levels;
        this.timerMaxDelayMs = timerMaxDelaySec * 1000;
        this.clockMs = clockMs;
    }

    @Override
    public Placement route(SendMessageRequestHeader h, Placement current) throws SendRejectedException {
        String props = current.properties();
        if (props.indexOf(DueTime.DELAY) < 0 && props.indexOf(DueTime.TIMER_DELIVER_MS) < 0) {
            return current;
        }
        int tx = current.sysFlag() & SysFlag.TRANSACTION_MASK;
        if (tx == SysFlag.TRANSACTION_PREPARED || tx == SysFlag.TRANSACTION_ROLLBACK
            || DueTime.isParkingTopic(current.topic()) || HALF_TOPIC.equals(current.topic())) {
            return current;
        }
        int level = delayLevel(MessageProperties.get(props, DueTime.DELAY));
        if (level > 0) {
            return parkDelayLevel(current, levels.clamp(level));
        }
        return routeTimer(current);
    }

    private static int delayLevel(String value) throws SendRejectedException {
        if (value == null) {
            return 0;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new SendRejectedException(ResponseCode.MESSAGE_ILLEGAL, "the delay level DELAY='" + value
                + "' is not a whole number");
        }
    }

    /**
     * {@code current} parked for delay level {@code level} (already clamped with {@link DelayLevels#clamp}): for
     * other writers of delayed messages too (a consumer's send-back into the retry topic).
     */
    public static Placement parkDelayLevel(Placement current, int level) {
        Map<String, String> m = MessageProperties.decode(current.properties());
        m.remove(DueTime.TIMER_DELIVER_MS);
        m.remove(DueTime.TIMER_DELAY_SEC);
        m.remove(DueTime.TIMER_DELAY_MS);
        m.put(DueTime.DELAY, Integer.toString(level));
        m.put(DueTime.REAL_TOPIC, current.topic());
        m.put(DueTime.REAL_QID, Integer.toString(current.queueId()));
        return current.movedTo(DueTime.SCHEDULE_TOPIC, level - 1, MessageProperties.encode(m));
    }

    private Placement routeTimer(Placement current) throws SendRejectedException {
        String props = current.properties();
        String sec = MessageProperties.get(props, DueTime.TIMER_DELAY_SEC);
        String ms = sec == null ? MessageProperties.get(props, DueTime.TIMER_DELAY_MS) : null;
        String at = sec == null && ms == null ? MessageProperties.get(props, DueTime.TIMER_DELIVER_MS) : null;
        if (sec == null && ms == null && at == null) {
            return current;
        }
        long now = clockMs.getAsLong();
        long deliverMs;
        if (sec != null) {
            deliverMs = now + parseTimer(DueTime.TIMER_DELAY_SEC, sec, 1000);
        } else if (ms != null) {
            deliverMs = now + parseTimer(DueTime.TIMER_DELAY_MS, ms, 1);
        } else {
            deliverMs = parseTimer(DueTime.TIMER_DELIVER_MS, at, 1);
        }
        if (deliverMs - now < PRECISION_MS) {
            return current;
        }
        if (deliverMs - now > timerMaxDelayMs) {
            throw new SendRejectedException(ResponseCode.MESSAGE_ILLEGAL, "the timer message is due in "
                + (deliverMs - now) + " ms, more than timerMaxDelaySec " + timerMaxDelayMs / 1000 + " s ahead");
        }
        Map<String, String> m = MessageProperties.decode(props);
        m.put(DueTime.TIMER_OUT_MS, Long.toString(deliverMs));
        m.put(DueTime.REAL_TOPIC, current.topic());
        m.put(DueTime.REAL_QID, Integer.toString(current.queueId()));
        return current.movedTo(DueTime.TIMER_TOPIC, 0, MessageProperties.encode(m));
    }

    /** {@code value} as a number times {@code unitMs}; bounded so the sum with a clock cannot overflow. */
    private static long parseTimer(String name, String value, long unitMs) throws SendRejectedException {
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new SendRejectedException(ResponseCode.MESSAGE_ILLEGAL, "the timer property " + name + "='"
                + value + "' is not a whole number");
        }
        if (Math.abs(v) > Long.MAX_VALUE / 4 / unitMs) {
            throw new SendRejectedException(ResponseCode.MESSAGE_ILLEGAL, "the timer property " + name + "='"
                + value + "' is out of range");
        }
        return v * unitMs;
    }
}
