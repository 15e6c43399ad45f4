package io.raftmq.broker.retry;

import io.raftmq.broker.metadata.Names;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.commitlog.message.MessageProperties;

import java.util.Map;

/**
 * The retry and dead-letter decisions of docs/protocol.md §2.7 and §5.7, as pure functions (docs/messaging.md
 * "Retry and dead-letter queues"): where a consumed message that failed goes next, with which delay level, and the
 * properties the copy carries. Used by the send-back processor (CONSUMER_SEND_MSG_BACK) and by {@link RetryRoute}
 * (the client's fallback send into {@code %RETRY%group}).
 */
public final class RetryPolicy {
    /** The group's maximum when neither the request nor the group names one (RocketMQ's retryMaxTimes). */
    public static final int MAX_RECONSUME_TIMES_DEFAULT = 16;
    /** Level used for the first retry: 3 + reconsumeTimes (10 s, 30 s, 1 m, ... with the default levels). */
    public static final int FIRST_RETRY_LEVEL = 3;
    public static final String RETRY_TOPIC = "RETRY_TOPIC";
    public static final String ORIGIN_MESSAGE_ID = "ORIGIN_MESSAGE_ID";
    public static final String DELAY = "DELAY";
    public static final String RECONSUME_TIME = "RECONSUME_TIME";
    public static final String MAX_RECONSUME_TIMES = "MAX_RECONSUME_TIMES";

    private RetryPolicy() {
    }

    /**
     * Where a sent-back message goes.
     *
     * @param deadLetter true: to {@code %DLQ%group}, not delayed; false: to {@code %RETRY%group}
     * @param delayLevel the delay level of a retry (at least 1; 0 for a dead letter)
     */
    public record Target(boolean deadLetter, int delayLevel) {
    }

    /**
     * CONSUMER_SEND_MSG_BACK: a message consumed {@code reconsumeTimes} times before (its stored RECONSUMETIMES)
     * goes to the dead-letter queue once {@code reconsumeTimes >= maxReconsumeTimes} or when the client asks for a
     * negative level; otherwise it is retried at the client's level, or {@code 3 + reconsumeTimes} when that is 0.
     */
    public static Target sendBack(int reconsumeTimes, int maxReconsumeTimes, int delayLevel) {
        if (reconsumeTimes >= maxReconsumeTimes || delayLevel < 0) {
            return new Target(true, 0);
        }
        return new Target(false, delayLevel == 0 ? FIRST_RETRY_LEVEL + reconsumeTimes : delayLevel);
    }

    /**
     * The client's fallback send into the retry topic carries the new message's count ({@code reconsumeTimes} =
     * the consumed message's + 1): it is a dead letter once that count exceeds the maximum.
     */
    public static boolean fallbackIsDeadLetter(int reconsumeTimes, int maxReconsumeTimes) {
        return reconsumeTimes > maxReconsumeTimes;
    }

    /** The maximum: the request's value if given, else the group's retryMaxTimes, else 16. */
    public static int maxReconsumeTimes(Integer requested, SubscriptionGroupConfig group) {
        if (requested != null) {
            return requested;
        }
        return group == null ? MAX_RECONSUME_TIMES_DEFAULT : group.retryMaxTimes();
    }

    /** {@code %DLQ%group}. */
    public static String deadLetterTopic(String group) {
        return Names.DLQ_GROUP_TOPIC_PREFIX + group;
    }

    /** The group of {@code %RETRY%group}, or null when {@code topic} is not a retry topic. */
    public static String groupOfRetryTopic(String topic) {
        return topic.startsWith(Names.RETRY_GROUP_TOPIC_PREFIX)
            ? topic.substring(Names.RETRY_GROUP_TOPIC_PREFIX.length()) : null;
    }

    /**
     * The properties of a sent-back copy: RETRY_TOPIC = {@code originalTopic} and ORIGIN_MESSAGE_ID =
     * {@code originMsgId} unless present, DELAY = {@code target.delayLevel()} for a retry, no DELAY for a dead
     * letter. Other properties (keys, tags, unique key) are kept in their order.
     */
    public static String sendBackProperties(String properties, String originalTopic, String originMsgId,
                                            Target target) {
        Map<String, String> p = MessageProperties.decode(properties);
        p.putIfAbsent(RETRY_TOPIC, originalTopic);
        if (originMsgId != null) {
            p.putIfAbsent(ORIGIN_MESSAGE_ID, originMsgId);
        }
        p.remove(DELAY);
        if (!target.deadLetter()) {
            p.put(DELAY, Integer.toString(target.delayLevel()));
        }
        return MessageProperties.encode(p);
    }

    /** {@code properties} without DELAY (a dead letter is never parked). */
    public static String withoutDelay(String properties) {
        if (MessageProperties.get(properties, DELAY) == null) {
            return properties;
        }
        Map<String, String> p = MessageProperties.decode(properties);
        p.remove(DELAY);
        return MessageProperties.encode(p);
    }
}
