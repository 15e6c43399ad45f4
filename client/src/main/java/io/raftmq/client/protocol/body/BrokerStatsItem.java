package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

/**
 * One window of a {@link BrokerStatsData}: the sum over the window, that sum per second, and the average value
 * per recorded call (e.g. messages per send request). Written {@code {"avgpt":..,"sum":..,"tps":..}}, the
 * alphabetical order fastjson uses.
 *
 * @param sum   total over the window (messages or bytes)
 * @param tps   {@code sum} divided by the window's seconds
 * @param avgpt {@code sum} divided by the calls recorded in the window; 0 with no call
 */
public record BrokerStatsItem(long sum, double tps, double avgpt) implements JsonBody {
    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("avgpt", avgpt).field("sum", sum).field("tps", tps).endObject();
    }

    public static BrokerStatsItem fromJson(JsonObject o) {
        return new BrokerStatsItem(o.getLong("sum", 0), o.getDouble("tps", 0), o.getDouble("avgpt", 0));
    }
}
