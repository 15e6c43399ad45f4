package io.raftmq.broker.schedule;

import io.raftmq.broker.config.DelayLevels;
import io.raftmq.commitlog.message.MessageProperties;

/**
 * The names of the due-message engine (RocketMQ's: parking topics and message properties) and the due time of a
 * parked message. The due time is a pure function of the parked message's stored bytes and the delay-level setting
 * (store timestamp + the level's delay, or the deliver time written in TIMER_OUT_MS at parking), so every member
 * derives the same index from the same log.
 */
public final class DueTime {
    /** Parking topic of delay-level messages; queue = level - 1. */
    public static final String SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX";
    /** Parking topic of timer messages; queue 0. */
    public static final String TIMER_TOPIC = "rmq_sys_wheel_timer";
    /** The requested delay level (a whole number; 0 or below: none). */
    public static final String DELAY = "DELAY";
    /** The topic a parked message is delivered to. */
    public static final String REAL_TOPIC = "REAL_TOPIC";
    /** The queue a parked message is delivered to. */
    public static final String REAL_QID = "REAL_QID";
    /** Timer: absolute deliver time, epoch ms. */
    public static final String TIMER_DELIVER_MS = "TIMER_DELIVER_MS";
    /** Timer: delay in seconds from the send. */
    public static final String TIMER_DELAY_SEC = "TIMER_DELAY_SEC";
    /** Timer: delay in ms from the send. */
    public static final String TIMER_DELAY_MS = "TIMER_DELAY_MS";
    /** Timer: the deliver time the broker computed when parking (epoch ms): the due time of a parked timer. */
    public static final String TIMER_OUT_MS = "TIMER_OUT_MS";
    /** Returned for a message that is not parked, or whose due time cannot be read. */
    public static final long NONE = -1;

    private DueTime() {
    }

    /** Whether {@code topic} is one of the two parking topics. */
    public static boolean isParkingTopic(String topic) {
        return SCHEDULE_TOPIC.equals(topic) || TIMER_TOPIC.equals(topic);
    }

    /**
     * The due time of a message stored in {@code topic}/{@code queueId} at {@code storeTimestampMs} with
     * {@code properties}, or {@link #NONE} when it is not a parked message (or its TIMER_OUT_MS is not a number).
     */
    public static long dueMs(String topic, int queueId, long storeTimestampMs, String properties,
                             DelayLevels levels) {
        if (SCHEDULE_TOPIC.equals(topic)) {
            return storeTimestampMs + levels.delayMs(queueId + 1);
        }
        if (TIMER_TOPIC.equals(topic)) {
            return parseTimerOut(MessageProperties.get(properties, TIMER_OUT_MS));
        }
        return NONE;
    }

    /** TIMER_OUT_MS as a positive number, else {@link #NONE}. */
    static long parseTimerOut(String value) {
        if (value == null) {
            return NONE;
        }
        try {
            long v = Long.parseLong(value);
            return v > 0 ? v : NONE;
        } catch (NumberFormatException e) {
            return NONE;
        }
    }
}
