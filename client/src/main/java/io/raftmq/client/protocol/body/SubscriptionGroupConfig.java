package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.Map;
import java.util.TreeMap;

/**
 * UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200) request body and GET_ALL_SUBSCRIPTIONGROUP_CONFIG values (docs/protocol.md
 * §4.8, vector 24). Only the {@code type} of {@code groupRetryPolicy} is kept. Missing booleans/ints take the RocketMQ
 * defaults of {@link #defaults(String)}.
 */
public record SubscriptionGroupConfig(String groupName, boolean consumeEnable, boolean consumeFromMinEnable,
                                      boolean consumeBroadcastEnable, boolean consumeMessageOrderly,
                                      int retryQueueNums, int retryMaxTimes, String groupRetryPolicyType,
                                      long brokerId, long whichBrokerWhenConsumeSlowly,
                                      boolean notifyConsumerIdsChangedEnable, int groupSysFlag,
                                      int consumeTimeoutMinute, Map<String, String> attributes) implements JsonBody {
    public SubscriptionGroupConfig {
        attributes = attributes == null ? new TreeMap<>() : new TreeMap<>(attributes);
    }

    /** The defaults a broker auto-creates a group with (docs/protocol.md §4.8). */
    public static SubscriptionGroupConfig defaults(String groupName) {
        return new SubscriptionGroupConfig(groupName, true, true, true, false, 1, 16, "CUSTOMIZED", 0, 1, true, 0, 15,
                Map.of());
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject();
        Bodies.writeStringMap(w, "attributes", attributes);
        w.field("brokerId", brokerId).field("consumeBroadcastEnable", consumeBroadcastEnable)
                .field("consumeEnable", consumeEnable).field("consumeFromMinEnable", consumeFromMinEnable)
                .field("consumeMessageOrderly", consumeMessageOrderly)
                .field("consumeTimeoutMinute", consumeTimeoutMinute).field("groupName", groupName);
        if (groupRetryPolicyType != null) {
            w.name("groupRetryPolicy").beginObject().field("type", groupRetryPolicyType).endObject();
        }
        w.field("groupSysFlag", groupSysFlag).field("notifyConsumerIdsChangedEnable", notifyConsumerIdsChangedEnable)
                .field("retryMaxTimes", retryMaxTimes).field("retryQueueNums", retryQueueNums)
                .field("whichBrokerWhenConsumeSlowly", whichBrokerWhenConsumeSlowly).endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static SubscriptionGroupConfig decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "SubscriptionGroupConfig", SubscriptionGroupConfig::fromJson);
    }

    public static SubscriptionGroupConfig fromJson(JsonObject o) {
        JsonObject policy = o.getObject("groupRetryPolicy");
        return new SubscriptionGroupConfig(o.getString("groupName"), o.getBoolean("consumeEnable", true),
                o.getBoolean("consumeFromMinEnable", true), o.getBoolean("consumeBroadcastEnable", true),
                o.getBoolean("consumeMessageOrderly", false), o.getInt("retryQueueNums", 1),
                o.getInt("retryMaxTimes", 16), policy == null ? "CUSTOMIZED" : policy.getString("type"),
                o.getLong("brokerId", 0), o.getLong("whichBrokerWhenConsumeSlowly", 1),
                o.getBoolean("notifyConsumerIdsChangedEnable", true), o.getInt("groupSysFlag", 0),
                o.getInt("consumeTimeoutMinute", 15), Bodies.stringMap(o.getObject("attributes"), new TreeMap<>()));
    }
}
