package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.List;

/**
 * A consumer group announced in a heartbeat (docs/protocol.md §4.4). Enum-valued properties are kept as their names so
 * an unknown value from a newer client does not fail the heartbeat; the constants name the known ones.
 */
public record ConsumerData(String groupName, String consumeType, String messageModel, String consumeFromWhere,
                           List<SubscriptionData> subscriptionDataSet, boolean unitMode) implements JsonBody {
    public static final String CONSUME_PASSIVELY = "CONSUME_PASSIVELY";
    public static final String CONSUME_ACTIVELY = "CONSUME_ACTIVELY";
    public static final String CLUSTERING = "CLUSTERING";
    public static final String BROADCASTING = "BROADCASTING";
    public static final String CONSUME_FROM_LAST_OFFSET = "CONSUME_FROM_LAST_OFFSET";
    public static final String CONSUME_FROM_FIRST_OFFSET = "CONSUME_FROM_FIRST_OFFSET";
    public static final String CONSUME_FROM_TIMESTAMP = "CONSUME_FROM_TIMESTAMP";

    public ConsumerData {
        subscriptionDataSet = List.copyOf(subscriptionDataSet);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("consumeFromWhere", consumeFromWhere).field("consumeType", consumeType)
                .field("groupName", groupName).field("messageModel", messageModel)
                .name("subscriptionDataSet").beginArray();
        for (SubscriptionData s : subscriptionDataSet) {
            s.writeJson(w);
        }
        w.endArray().field("unitMode", unitMode).endObject();
    }

    public static ConsumerData fromJson(JsonObject o) {
        return new ConsumerData(o.getString("groupName"), o.getString("consumeType"), o.getString("messageModel"),
                o.getString("consumeFromWhere"),
                Bodies.objects(o.getArray("subscriptionDataSet"), "SubscriptionData", SubscriptionData::fromJson),
                o.getBoolean("unitMode", false));
    }
}
