package io.raftmq.broker.metadata;

import io.raftmq.broker.entry.SubscriptionGroupEntry;
import io.raftmq.broker.entry.TopicConfigEntry;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicConfig;

/**
 * The one place where the remoting bodies {@link TopicConfig} and {@link SubscriptionGroupConfig} meet the broker's
 * replicated records {@link TopicConfigEntry} and {@link SubscriptionGroupEntry}. The managers convert here on the
 * way into the Raft log (proposals, snapshots) and on the way out (apply, restore), so the log format depends only
 * on the entry records and a change of the wire bodies shows up as a compile error here, never as new log bytes.
 * Field for field, no defaults added or dropped.
 */
final class EntryConversions {
    private EntryConversions() {
    }

    static TopicConfigEntry toEntry(TopicConfig c) {
        return new TopicConfigEntry(c.topicName(), c.readQueueNums(), c.writeQueueNums(), c.perm(),
                c.topicFilterType(), c.topicSysFlag(), c.order(), c.attributes());
    }

    static TopicConfig toWire(TopicConfigEntry e) {
        return new TopicConfig(e.topicName(), e.readQueueNums(), e.writeQueueNums(), e.perm(), e.topicFilterType(),
                e.topicSysFlag(), e.order(), e.attributes());
    }

    static SubscriptionGroupEntry toEntry(SubscriptionGroupConfig c) {
        return new SubscriptionGroupEntry(c.groupName(), c.consumeEnable(), c.consumeFromMinEnable(),
                c.consumeBroadcastEnable(), c.consumeMessageOrderly(), c.retryQueueNums(), c.retryMaxTimes(),
                c.groupRetryPolicyType(), c.brokerId(), c.whichBrokerWhenConsumeSlowly(),
                c.notifyConsumerIdsChangedEnable(), c.groupSysFlag(), c.consumeTimeoutMinute(), c.attributes());
    }

    static SubscriptionGroupConfig toWire(SubscriptionGroupEntry e) {
        return new SubscriptionGroupConfig(e.groupName(), e.consumeEnable(), e.consumeFromMinEnable(),
                e.consumeBroadcastEnable(), e.consumeMessageOrderly(), e.retryQueueNums(), e.retryMaxTimes(),
                e.groupRetryPolicyType(), e.brokerId(), e.whichBrokerWhenConsumeSlowly(),
                e.notifyConsumerIdsChangedEnable(), e.groupSysFlag(), e.consumeTimeoutMinute(), e.attributes());
    }
}
