package io.raftmq.broker.retry;

import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.processor.send.Placement;
import io.raftmq.broker.processor.send.SendRoute;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.commitlog.message.MessageProperties;

/**
 * The dead-letter switch of sends into {@code %RETRY%group} (docs/protocol.md §2.7, docs/messaging.md "Retry and
 * dead-letter queues"): the client's fallback when CONSUMER_SEND_MSG_BACK failed, and the send-back processor's own
 * copies. The message's count is the header's reconsumeTimes (the official client moves RECONSUME_TIME there; the
 * property is read when the header has none), its maximum the header's maxReconsumeTimes, else the
 * MAX_RECONSUME_TIMES property, else the group's retryMaxTimes (16 by default). A count above the maximum moves the
 * message to {@code %DLQ%group} queue 0 without DELAY; any other message is left as it is (its DELAY parks it).
 *
 * <p>Threads: any (reads the replicated group table only).
 */
public final class RetryRoute implements SendRoute {
    private final SubscriptionGroupManager groups;

    public RetryRoute(SubscriptionGroupManager groups) {
        this.groups = groups;
    }

    @Override
    public Placement route(SendMessageRequestHeader h, Placement current) {
        String group = RetryPolicy.groupOfRetryTopic(current.topic());
        if (group == null) {
            return current;
        }
        int times = h.reconsumeTimes() > 0 ? h.reconsumeTimes()
            : intProperty(current.properties(), RetryPolicy.RECONSUME_TIME, 0);
        Integer max = h.maxReconsumeTimes();
        if (max == null) {
            int fromProperty = intProperty(current.properties(), RetryPolicy.MAX_RECONSUME_TIMES, -1);
            max = fromProperty >= 0 ? fromProperty : RetryPolicy.maxReconsumeTimes(null, groups.get(group));
        }
        if (!RetryPolicy.fallbackIsDeadLetter(times, max)) {
            return current;
        }
        return current.movedTo(RetryPolicy.deadLetterTopic(group), 0,
            RetryPolicy.withoutDelay(current.properties()));
    }

    private static int intProperty(String properties, String name, int absent) {
        String v = MessageProperties.get(properties, name);
        if (v == null) {
            return absent;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return absent;
        }
    }
}
