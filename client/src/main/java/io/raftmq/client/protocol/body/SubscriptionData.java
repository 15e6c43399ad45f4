package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * One subscription of a consumer group (docs/protocol.md §4.4): expression {@code subString} ("*" or "TagA || TagB"),
 * its tags and their {@code String.hashCode()} codes, version (ms) and expression type (TAG or SQL92).
 */
public record SubscriptionData(String topic, String subString, List<String> tagsSet, List<Integer> codeSet,
                               long subVersion, String expressionType, boolean classFilterMode) implements JsonBody {
    public static final String SUB_ALL = "*";
    public static final String TYPE_TAG = "TAG";
    public static final String TYPE_SQL92 = "SQL92";

    public SubscriptionData {
        tagsSet = List.copyOf(tagsSet);
        codeSet = List.copyOf(codeSet);
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("classFilterMode", classFilterMode).name("codeSet").beginArray();
        for (Integer c : codeSet) {
            w.value(c.longValue());
        }
        w.endArray().field("expressionType", expressionType).field("subString", subString)
                .field("subVersion", subVersion);
        Bodies.writeStrings(w, "tagsSet", tagsSet);
        w.field("topic", topic).endObject();
    }

    public static SubscriptionData fromJson(JsonObject o) {
        List<Integer> codes = new ArrayList<>();
        for (Object c : o.getArray("codeSet")) {
            codes.add((int) JsonObject.toLong("codeSet", c, 0));
        }
        return new SubscriptionData(o.getString("topic"), o.getString("subString"),
                Bodies.strings(o.getArray("tagsSet")),
                codes, o.getLong("subVersion", 0), o.getString("expressionType"), o.getBoolean("classFilterMode",
                        false));
    }
}
