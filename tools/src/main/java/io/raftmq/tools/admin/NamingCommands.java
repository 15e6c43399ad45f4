package io.raftmq.tools.admin;

import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.admin.AdminException;
import io.raftmq.client.admin.NameServerView;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.json.JsonWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code raftmq-admin naming list}: each NameServer of {@code --namesrv} and what it routes (the broker groups and
 * members it has registered, its topics), on {@link AdminClient#nameServers()} (docs/admin.md "naming list"). Exit 1
 * when none answers.
 */
@Command(name = "naming", mixinStandardHelpOptions = true, description = "NameServers.",
    subcommands = NamingCommands.ListNameServers.class)
final class NamingCommands extends AdminTool.Group {

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "Each NameServer: reachable or not, the broker groups and members it registered, its topics.")
    static final class ListNameServers implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Override
        public Integer call() throws AdminException, InterruptedException {
            try (AdminClient admin = common.open()) {
                List<NameServerView> ns = admin.nameServers();
                if (common.json()) {
                    Output.print(json(ns));
                } else {
                    Output.Table t = new Output.Table("NAMESRV", "REACHABLE", "GROUP", "CLUSTER", "MEMBERS",
                        "TOPICS");
                    for (NameServerView v : ns) {
                        if (v.groups().isEmpty()) {
                            t.row(v.address(), v.reachable(), "-", "-", v.error(), v.topics().size());
                        }
                        for (BrokerData bd : v.groups()) {
                            t.row(v.address(), v.reachable(), bd.brokerName(), bd.cluster(), bd.brokerAddrs(),
                                v.topics().size());
                        }
                    }
                    t.print();
                }
                if (ns.stream().noneMatch(NameServerView::reachable)) {
                    System.err.println("no NameServer answered: " + ns.get(0).error());
                    return AdminTool.FAILED;
                }
                return AdminTool.OK;
            }
        }
    }

    static JsonWriter json(List<NameServerView> ns) {
        JsonWriter w = Output.json().beginObject().name("nameServers").beginArray();
        for (NameServerView v : ns) {
            w.beginObject();
            Output.str(w, "address", v.address());
            w.field("reachable", v.reachable());
            Output.str(w, "error", v.error()).name("groups").beginArray();
            for (BrokerData bd : v.groups()) {
                Output.brokerData(w, bd);
            }
            w.endArray().name("topics").beginArray();
            v.topics().forEach(w::value);
            w.endArray().endObject();
        }
        return w.endArray().endObject();
    }
}
