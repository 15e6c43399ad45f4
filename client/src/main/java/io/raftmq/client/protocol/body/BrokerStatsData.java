package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonWriter;

/**
 * VIEW_BROKER_STATS_DATA (315) response body (docs/protocol.md §2.11): one statistic over the last minute, hour
 * and day. Layout, in fastjson's alphabetical property order, each window a {@link BrokerStatsItem}:
 * <pre>
 * {"statsDay":{"avgpt":D,"sum":L,"tps":D},"statsHour":{...},"statsMinute":{...}}
 * </pre>
 * Doubles print like fastjson ({@code 0.0}, {@code 1.5}).
 */
public record BrokerStatsData(BrokerStatsItem statsMinute, BrokerStatsItem statsHour, BrokerStatsItem statsDay)
        implements JsonBody {
    public BrokerStatsData {
        if (statsMinute == null || statsHour == null || statsDay == null) {
            throw new IllegalArgumentException("all three windows are required");
        }
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().name("statsDay");
        statsDay.writeJson(w);
        w.name("statsHour");
        statsHour.writeJson(w);
        w.name("statsMinute");
        statsMinute.writeJson(w);
        w.endObject();
    }

    /** @throws RemotingCommandException if the body is malformed */
    public static BrokerStatsData decode(byte[] body) throws RemotingCommandException {
        return Bodies.decode(body, "BrokerStatsData", o -> new BrokerStatsData(item(o, "statsMinute"),
                item(o, "statsHour"), item(o, "statsDay")));
    }

    private static BrokerStatsItem item(JsonObject o, String name) {
        JsonObject i = o.getObject(name);
        return i == null ? new BrokerStatsItem(0, 0, 0) : BrokerStatsItem.fromJson(i);
    }
}
