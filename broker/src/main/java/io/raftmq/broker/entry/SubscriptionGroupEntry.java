package io.raftmq.broker.entry;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A subscription group's configuration as the Raft log and the metadata snapshots record it (the {@code config}
 * part of {@link SubscriptionGroupCodec}'s GROUP_PUT). The broker owns this type, not the wire protocol: a change
 * of the remoting body {@code SubscriptionGroupConfig} must not change what is replicated, so the managers convert
 * between the two and only this record reaches the codec.
 *
 * @param groupName            the group (never null)
 * @param groupRetryPolicyType the retry policy's type ({@code CUSTOMIZED}, {@code EXPONENTIAL}); may be null
 * @param attributes           a sorted immutable copy; empty rather than null
 */
public record SubscriptionGroupEntry(String groupName, boolean consumeEnable, boolean consumeFromMinEnable,
                                     boolean consumeBroadcastEnable, boolean consumeMessageOrderly,
                                     int retryQueueNums, int retryMaxTimes, String groupRetryPolicyType,
                                     long brokerId, long whichBrokerWhenConsumeSlowly,
                                     boolean notifyConsumerIdsChangedEnable, int groupSysFlag,
                                     int consumeTimeoutMinute, Map<String, String> attributes) {
    public SubscriptionGroupEntry {
        if (groupName == null) {
            throw new IllegalArgumentException("groupName must not be null");
        }
        attributes = Collections.unmodifiableSortedMap(attributes == null ? new TreeMap<>()
                : new TreeMap<>(attributes));
    }

}
