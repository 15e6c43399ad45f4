package io.raftmq.tools.dashboard;

import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.admin.AdminException;
import io.raftmq.client.admin.ConsumerProgress;
import io.raftmq.client.admin.MessageView;
import io.raftmq.client.protocol.body.Connection;
import io.raftmq.client.protocol.body.TopicOffset;
import io.raftmq.client.protocol.body.TopicStatsTable;
import io.raftmq.client.protocol.json.JsonWriter;
import io.raftmq.tools.admin.AdminJson;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The dashboard's on-demand answers, asked through the SDK's {@link AdminClient} when the page asks (the topics and
 * groups panels every few seconds, a message lookup when submitted): {@code /api/topics} (per topic: queues,
 * messages held, the sum of its queues' max offsets and the rate at which it grew since the previous answer),
 * {@code /api/groups} (per subscription group: the ids of its clients online, and {@code bin/raftmq-admin group
 * progress}'s document: lag per queue and total), {@code /api/message?id=ID[&topic=T]} or {@code ?topic=T&key=K}
 * ({@code message get}'s document; 404 when nothing matches). Topics and groups are cached for {@link #CACHE_MS} so
 * that several open pages do not multiply the requests to the brokers. One answer at a time (synchronized): the
 * admin calls are the bottleneck anyway.
 */
final class DashboardQueries {
    static final long CACHE_MS = 2_000;

    private final AdminClient admin;
    private final LongSupplier clockMs;
    /** Per topic: {time, sum of max offsets} of the previous answer, for the rate. */
    private final Map<String, long[]> previous = new HashMap<>();
    private String topics;
    private long topicsAtMs = Long.MIN_VALUE;
    private String groups;
    private long groupsAtMs = Long.MIN_VALUE;

    DashboardQueries(AdminClient admin, LongSupplier clockMs) {
        this.admin = admin;
        this.clockMs = clockMs;
    }

    synchronized String topics() throws AdminException, InterruptedException {
        long now = clockMs.getAsLong();
        if (topics != null && now - topicsAtMs < CACHE_MS) {
            return topics;
        }
        List<String> names = new ArrayList<>(admin.listTopics());
        names.sort(null);
        JsonWriter w = new JsonWriter().beginObject().name("topics").beginArray();
        for (String t : names) {
            w.beginObject().field("topic", t);
            try {
                topicFields(w, t, admin.topicStats(t), now);
            } catch (AdminException e) {
                w.field("error", e.getMessage());
            }
            w.endObject();
        }
        topics = w.endArray().endObject().toString();
        topicsAtMs = now;
        return topics;
    }

    private void topicFields(JsonWriter w, String topic, TopicStatsTable s, long now) {
        long maxSum = 0;
        long messages = 0;
        long last = 0;
        for (TopicOffset o : s.offsetTable().values()) {
            maxSum += o.maxOffset();
            messages += o.maxOffset() - o.minOffset();
            last = Math.max(last, o.lastUpdateTimestamp());
        }
        w.field("queues", s.offsetTable().size()).field("messages", messages).field("maxOffsetSum", maxSum)
            .field("lastUpdateTimestamp", last).name("msgPerSec");
        long[] before = previous.put(topic, new long[] {now, maxSum});
        if (before == null || now <= before[0] || maxSum < before[1]) {
            w.nullValue();
        } else {
            w.value(Math.round((maxSum - before[1]) * 10_000.0 / (now - before[0])) / 10.0);
        }
    }

    synchronized String groups() throws AdminException, InterruptedException {
        long now = clockMs.getAsLong();
        if (groups != null && now - groupsAtMs < CACHE_MS) {
            return groups;
        }
        List<String> names = new ArrayList<>(admin.listGroups().keySet());
        names.sort(null);
        JsonWriter w = new JsonWriter().beginObject().name("groups").beginArray();
        for (String g : names) {
            w.beginObject().field("group", g);
            try {
                ConsumerProgress p = admin.consumerProgress(g);
                List<Connection> clients = admin.consumerConnections(g);
                w.name("clients").beginArray();
                clients.forEach(c -> w.value(c.clientId()));
                w.endArray().name("progress").rawValue(AdminJson.progress(p, null)).name("error").nullValue();
            } catch (AdminException e) {
                w.name("clients").nullValue().name("progress").nullValue().field("error", e.getMessage());
            }
            w.endObject();
        }
        groups = w.endArray().endObject().toString();
        groupsAtMs = now;
        return groups;
    }

    /** {@code message get}'s document for {@code id=} (with an optional {@code topic=}) or {@code topic=&key=}. */
    synchronized String message(Map<String, String> q) throws AdminException, InterruptedException,
            DashboardServer.NotFoundException {
        String id = blankToNull(q.get("id"));
        String topic = blankToNull(q.get("topic"));
        String key = blankToNull(q.get("key"));
        if (id == null && (key == null || topic == null)) {
            throw new IllegalArgumentException("give id=MSGID, or topic=T and key=K");
        }
        List<MessageView> found = id != null ? admin.messageById(id, topic) : admin.messagesByKey(topic, key);
        if (found.isEmpty()) {
            throw new DashboardServer.NotFoundException("no message " + (id != null ? "with id " + id
                : "with key " + key + " in " + topic));
        }
        return AdminJson.messages(found);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
