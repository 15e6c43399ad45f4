package io.raftmq.tools.admin;

import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.admin.AdminException;
import io.raftmq.client.admin.ConsumerProgress;
import io.raftmq.client.protocol.body.Connection;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.json.JsonWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code raftmq-admin group list | create | delete | progress | clients}: consumer groups on every broker group
 * (201, 200, 207), a group's progress (208, what mqadmin consumerProgress shows: per queue the broker offset, the
 * group's committed offset and the lag, and the totals) and its online clients (203, what mqadmin
 * consumerConnection shows), each on the SDK's {@link AdminClient} (docs/admin.md "group").
 */
@Command(name = "group", mixinStandardHelpOptions = true, description = "Consumer groups.",
    subcommands = {GroupCommands.ListGroups.class, GroupCommands.Create.class, GroupCommands.Delete.class,
        GroupCommands.Progress.class, GroupCommands.Clients.class})
final class GroupCommands extends AdminTool.Group {

    /** Options naming one consumer group. */
    abstract static class OneGroup implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = {"--group", "-g"}, required = true, description = "the consumer group")
        String group;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every consumer group of every broker "
        + "group.")
    static final class ListGroups implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Override
        public Integer call() throws AdminException, InterruptedException {
            try (AdminClient admin = common.open()) {
                Map<String, SubscriptionGroupConfig> gs = new TreeMap<>(admin.listGroups());
                if (common.json()) {
                    JsonWriter w = Output.json().beginObject().name("groups").beginArray();
                    for (SubscriptionGroupConfig c : gs.values()) {
                        w.beginObject();
                        Output.str(w, "name", c.groupName());
                        w.field("consumeEnable", c.consumeEnable())
                            .field("consumeBroadcastEnable", c.consumeBroadcastEnable())
                            .field("consumeMessageOrderly", c.consumeMessageOrderly())
                            .field("retryQueueNums", c.retryQueueNums()).field("retryMaxTimes", c.retryMaxTimes())
                            .endObject();
                    }
                    Output.print(w.endArray().endObject());
                    return AdminTool.OK;
                }
                Output.Table t = new Output.Table("GROUP", "CONSUME", "BROADCAST", "ORDERLY", "RETRY_MAX");
                gs.values().forEach(c -> t.row(c.groupName(), c.consumeEnable(), c.consumeBroadcastEnable(),
                    c.consumeMessageOrderly(), c.retryMaxTimes()));
                t.print();
                return AdminTool.OK;
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create (or overwrite) a consumer group on every broker group, with the broker's defaults "
            + "but for the options given.")
    static final class Create extends OneGroup {
        @Option(names = "--retry-max-times", description = "deliveries before the DLQ (default 16)")
        Integer retryMaxTimes;
        @Option(names = "--broadcast", negatable = true, description = "allow broadcast consumption (default true)")
        Boolean broadcast;
        @Option(names = "--orderly", description = "consume in order (default false)")
        Boolean orderly;
        @Option(names = "--cluster", description = "only the broker groups of this cluster (default: every group)")
        String cluster;

        @Override
        public Integer call() throws AdminException, InterruptedException {
            SubscriptionGroupConfig d = SubscriptionGroupConfig.defaults(group);
            if (retryMaxTimes != null && retryMaxTimes < 0) {
                throw new IllegalArgumentException("--retry-max-times must be >= 0, got " + retryMaxTimes);
            }
            SubscriptionGroupConfig c = new SubscriptionGroupConfig(group, d.consumeEnable(),
                d.consumeFromMinEnable(), broadcast != null ? broadcast : d.consumeBroadcastEnable(),
                orderly != null ? orderly : d.consumeMessageOrderly(), d.retryQueueNums(),
                retryMaxTimes != null ? retryMaxTimes : d.retryMaxTimes(), d.groupRetryPolicyType(), d.brokerId(),
                d.whichBrokerWhenConsumeSlowly(), d.notifyConsumerIdsChangedEnable(), d.groupSysFlag(),
                d.consumeTimeoutMinute(), d.attributes());
            try (AdminClient admin = common.open()) {
                admin.createGroup(c, cluster);
                return done(common, group, "created");
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete a consumer group (and its offsets unless --keep-offsets) on every broker group. Exit 3 "
            + "if no broker group has it.")
    static final class Delete extends OneGroup {
        @Option(names = "--keep-offsets", description = "keep the group's committed offsets")
        boolean keepOffsets;

        @Override
        public Integer call() throws AdminException, InterruptedException {
            try (AdminClient admin = common.open()) {
                if (!admin.listGroups().containsKey(group)) {
                    throw new AdminTool.NotFoundException("no broker group has consumer group " + group);
                }
                admin.deleteGroup(group, !keepOffsets);
                return done(common, group, "deleted");
            }
        }
    }

    static int done(CommonOptions common, String group, String verb) {
        if (common.json()) {
            JsonWriter w = Output.json().beginObject();
            Output.str(w, "group", group);
            Output.print(Output.str(w, "result", verb).endObject());
        } else {
            System.out.println(verb + " consumer group " + group);
        }
        return AdminTool.OK;
    }

    @Command(name = "progress", mixinStandardHelpOptions = true,
        description = "Per queue: broker offset, consumer offset, lag; and the totals. Exit 3 if the group is "
            + "unknown.")
    static final class Progress extends OneGroup {
        @Option(names = {"--topic", "-t"}, description = "only this topic (default: every topic it consumed)")
        String topic;

        @Override
        public Integer call() throws AdminException, InterruptedException {
            try (AdminClient admin = common.open()) {
                ConsumerProgress p = admin.consumerProgress(group, topic);
                if (p.queues().isEmpty() && !admin.listGroups().containsKey(group)) {
                    throw new AdminTool.NotFoundException("no broker group knows consumer group " + group);
                }
                if (common.json()) {
                    Output.print(progressJson(p, topic));
                    return AdminTool.OK;
                }
                Output.Table t = new Output.Table("TOPIC", "GROUP", "QUEUE", "BROKER_OFFSET", "CONSUMER_OFFSET", "LAG",
                    "LAST_CONSUMED");
                for (ConsumerProgress.Queue q : p.queues()) {
                    t.row(q.queue().topic(), q.queue().brokerName(), q.queue().queueId(), q.brokerOffset(),
                        q.consumerOffset(), q.lag(), q.lastTimestamp() <= 0 ? "-"
                            : Instant.ofEpochMilli(q.lastTimestamp()).toString());
                }
                t.row("TOTAL", "", "", p.totalBrokerOffset(), p.totalConsumerOffset(), p.totalLag(), "");
                t.print();
                return AdminTool.OK;
            }
        }
    }

    @Command(name = "clients", mixinStandardHelpOptions = true,
        description = "The group's clients online at the broker groups' leaders (none: an empty list, exit 0).")
    static final class Clients extends OneGroup {
        @Override
        public Integer call() throws AdminException, InterruptedException {
            try (AdminClient admin = common.open()) {
                List<Connection> cs = admin.consumerConnections(group);
                if (common.json()) {
                    Output.print(clientsJson(group, cs));
                    return AdminTool.OK;
                }
                Output.Table t = new Output.Table("CLIENT_ID", "ADDRESS", "LANGUAGE", "VERSION");
                cs.forEach(c -> t.row(c.clientId(), c.clientAddr(), c.language(), c.version()));
                t.print();
                System.out.println(cs.size() + " client(s) of " + group + " online");
                return AdminTool.OK;
            }
        }
    }

    static JsonWriter clientsJson(String group, List<Connection> cs) {
        JsonWriter w = Output.json().beginObject();
        Output.str(w, "group", group).name("clients").beginArray();
        for (Connection c : cs) {
            w.beginObject();
            Output.str(w, "clientId", c.clientId());
            Output.str(w, "clientAddr", c.clientAddr());
            Output.str(w, "language", c.language());
            w.field("version", c.version()).endObject();
        }
        return w.endArray().endObject();
    }

    static JsonWriter progressJson(ConsumerProgress p, String topic) {
        JsonWriter w = Output.json().beginObject();
        Output.str(w, "group", p.group());
        Output.str(w, "topic", topic).name("queues").beginArray();
        for (ConsumerProgress.Queue q : p.queues()) {
            w.beginObject();
            Output.str(w, "topic", q.queue().topic());
            Output.str(w, "brokerName", q.queue().brokerName());
            w.field("queueId", q.queue().queueId()).field("brokerOffset", q.brokerOffset())
                .field("consumerOffset", q.consumerOffset()).field("lag", q.lag())
                .field("lastTimestamp", q.lastTimestamp()).endObject();
        }
        return w.endArray().field("totalBrokerOffset", p.totalBrokerOffset())
            .field("totalConsumerOffset", p.totalConsumerOffset()).field("totalLag", p.totalLag()).endObject();
    }
}
