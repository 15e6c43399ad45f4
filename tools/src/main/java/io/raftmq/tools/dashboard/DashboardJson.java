package io.raftmq.tools.dashboard;

import io.raftmq.client.admin.ClusterStatus;
import io.raftmq.client.protocol.json.JsonWriter;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The dashboard's one API answer, {@code GET /api/state}: the poller's {@link ClusterPoller.View} as JSON. Shape
 * (docs/dashboard.md; absent values are {@code null}):
 * <pre>
 * {"time":ms, "error":"why the last poll failed"|null, "groups":[{
 *    "cluster":"..", "name":"broker-a", "leader":"n1"|null, "term":3,
 *    "members":[{"id":"n0","address":"127.0.0.1:10911","role":"FOLLOWER","term":3,"commitIndex":..,
 *                "appliedIndex":..,"lastIndex":..,"lag":0|null,"reachable":true,"error":null}],
 *    "history":{"time":[ms..], "commit":{"n0":[..]}, "lag":{"n0":[..]}},
 *    "leaderChanges":[{"time":ms,"id":"n1","address":"..","term":3}]}]}
 * </pre>
 */
final class DashboardJson {
    private DashboardJson() {
    }

    static String render(ClusterPoller.View v) {
        JsonWriter w = new JsonWriter();
        w.beginObject().field("time", v.timeMs());
        w.name("error");
        if (v.error() == null) {
            w.nullValue();
        } else {
            w.value(v.error());
        }
        w.name("groups").beginArray();
        for (ClusterStatus.Group g : v.status().groups()) {
            group(w, g, v.history().getOrDefault(g.name(), List.of()),
                v.changes().getOrDefault(g.name(), List.of()));
        }
        return w.endArray().endObject().toString();
    }

    private static void group(JsonWriter w, ClusterStatus.Group g, List<ClusterPoller.Sample> samples,
                              List<ClusterPoller.LeaderChange> changes) {
        ClusterStatus.Member leader = ClusterPoller.leaderOf(g);
        w.beginObject().field("cluster", g.cluster()).field("name", g.name());
        w.name("leader");
        stringOrNull(w, leader == null ? null : ClusterPoller.idOf(leader));
        w.field("term", leader == null ? -1 : leader.term());
        w.name("members").beginArray();
        for (ClusterStatus.Member m : g.members()) {
            member(w, m, ClusterPoller.lagOf(leader, m));
        }
        w.endArray();
        history(w, samples);
        w.name("leaderChanges").beginArray();
        for (ClusterPoller.LeaderChange c : changes) {
            w.beginObject().field("time", c.timeMs()).field("id", c.selfId()).field("address", c.address())
                .field("term", c.term()).endObject();
        }
        w.endArray().endObject();
    }

    private static void member(JsonWriter w, ClusterStatus.Member m, Long lag) {
        w.beginObject().field("id", ClusterPoller.idOf(m)).field("address", m.address());
        w.name("role");
        stringOrNull(w, m.reachable() ? m.role() : "UNREACHABLE");
        w.field("term", m.term()).field("commitIndex", m.commitIndex()).field("appliedIndex", m.appliedIndex())
            .field("lastIndex", m.lastIndex());
        w.name("lag");
        longOrNull(w, lag);
        w.field("reachable", m.reachable());
        w.name("error");
        stringOrNull(w, m.error());
        w.endObject();
    }

    private static void history(JsonWriter w, List<ClusterPoller.Sample> samples) {
        w.name("history").beginObject().name("time").beginArray();
        for (ClusterPoller.Sample s : samples) {
            w.value(s.timeMs());
        }
        w.endArray();
        series(w, "commit", samples, true);
        series(w, "lag", samples, false);
        w.endObject();
    }

    /** One array per member id seen in any sample, aligned with "time" (null where the member was not sampled). */
    private static void series(JsonWriter w, String name, List<ClusterPoller.Sample> samples, boolean commit) {
        Set<String> ids = new TreeSet<>();
        samples.forEach(s -> ids.addAll(s.commit().keySet()));
        w.name(name).beginObject();
        for (String id : ids) {
            w.name(id).beginArray();
            for (ClusterPoller.Sample s : samples) {
                Map<String, Long> m = commit ? s.commit() : s.lag();
                longOrNull(w, m.get(id));
            }
            w.endArray();
        }
        w.endObject();
    }

    private static void stringOrNull(JsonWriter w, String s) {
        if (s == null) {
            w.nullValue();
        } else {
            w.value(s);
        }
    }

    private static void longOrNull(JsonWriter w, Long v) {
        if (v == null) {
            w.nullValue();
        } else {
            w.value(v.longValue());
        }
    }
}
