package io.raftmq.tools.admin;

import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.admin.AdminException;
import io.raftmq.client.admin.ClusterStatus;
import io.raftmq.client.protocol.json.JsonWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code raftmq-admin cluster}: every broker group the NameServer knows and what each registered member says of
 * itself (GET_BROKER_RUNTIME_INFO 28 with RaftMQ's raft keys, docs/protocol.md §4.8): role, term, commit and applied
 * index, how many entries it lags behind the leader, its broker and Raft address (the latter from its configuration,
 * GET_BROKER_CONFIG 26). Built on {@link AdminClient#clusterStatus()}; json shape in docs/admin.md.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Every broker group: members with role, term, commit/apply index, lag behind the leader (entries), "
        + "broker and Raft address.")
final class ClusterCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws AdminException, InterruptedException {
        try (AdminClient admin = common.open()) {
            ClusterStatus s = admin.clusterStatus();
            Map<String, String> raft = new HashMap<>();
            for (ClusterStatus.Group g : s.groups()) {
                for (ClusterStatus.Member m : g.members()) {
                    raft.put(m.address(), m.reachable() ? raftAddress(admin, m.address()) : null);
                }
            }
            if (common.json()) {
                Output.print(json(s, raft));
            } else {
                table(s, raft);
            }
            return AdminTool.OK;
        }
    }

    /** A member's Raft address, null when it cannot tell (the status shows the member anyway). */
    private static String raftAddress(AdminClient admin, String addr) throws InterruptedException {
        try {
            return admin.raftAddress(addr);
        } catch (AdminException e) {
            return null;
        }
    }

    private static void table(ClusterStatus s, Map<String, String> raft) {
        Output.Table t = new Output.Table("GROUP", "CLUSTER", "BROKER_ADDR", "RAFT_ADDR", "ID", "ROLE", "TERM",
            "COMMIT", "APPLIED", "LAST", "LAG");
        for (ClusterStatus.Group g : s.groups()) {
            for (ClusterStatus.Member m : g.members()) {
                t.row(g.name(), g.cluster(), m.address(), Output.text(raft.get(m.address())), Output.text(m.selfId()),
                    m.reachable() ? Output.text(m.role()) : "UNREACHABLE", Output.num(m.term()),
                    Output.num(m.commitIndex()), Output.num(m.appliedIndex()), Output.num(m.lastIndex()),
                    Output.num(g.lagOf(m)));
            }
        }
        t.print();
        for (ClusterStatus.Group g : s.groups()) {
            System.out.println(g.name() + ": leader " + Output.text(g.leader()) + ", " + g.leaders().size()
                + " member(s) say they lead");
        }
    }

    static JsonWriter json(ClusterStatus s, Map<String, String> raft) {
        JsonWriter w = Output.json().beginObject().name("groups").beginArray();
        for (ClusterStatus.Group g : s.groups()) {
            w.beginObject();
            Output.str(w, "name", g.name());
            Output.str(w, "cluster", g.cluster());
            Output.str(w, "leader", g.leader());
            w.name("members").beginArray();
            for (ClusterStatus.Member m : g.members()) {
                w.beginObject();
                Output.str(w, "brokerAddr", m.address());
                Output.str(w, "raftAddr", raft.get(m.address()));
                w.field("brokerId", m.brokerId()).field("reachable", m.reachable());
                Output.str(w, "selfId", m.selfId());
                Output.str(w, "role", m.role());
                w.field("term", m.term()).field("commitIndex", m.commitIndex())
                    .field("appliedIndex", m.appliedIndex()).field("lastIndex", m.lastIndex())
                    .field("lag", g.lagOf(m));
                Output.str(w, "error", m.error());
                w.endObject();
            }
            w.endArray().endObject();
        }
        return w.endArray().endObject();
    }
}
