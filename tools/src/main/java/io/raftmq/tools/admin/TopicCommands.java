package io.raftmq.tools.admin;

import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.admin.AdminException;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.QueueData;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.body.TopicOffset;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.body.TopicStatsTable;
import io.raftmq.client.protocol.json.JsonWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code raftmq-admin topic list | create | update | delete | route | stats}, each on the SDK's {@link AdminClient}
 * (docs/admin.md "topic"): the NameServer's topic list (206) and route (105), a topic created or updated (17) and
 * deleted (215, 216) on every broker group, and per-queue min/max offsets with the last store time (202).
 */
@Command(name = "topic", mixinStandardHelpOptions = true, description = "Topics.",
    subcommands = {TopicCommands.ListTopics.class, TopicCommands.Create.class, TopicCommands.Update.class,
        TopicCommands.Delete.class, TopicCommands.Route.class, TopicCommands.Stats.class})
final class TopicCommands extends AdminTool.Group {

    /** Options naming one topic. */
    abstract static class OneTopic implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = {"--topic", "-t"}, required = true, description = "the topic")
        String topic;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every topic the NameServer routes.")
    static final class ListTopics implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Override
        public Integer call() throws AdminException, InterruptedException {
            try (AdminClient admin = common.open()) {
                List<String> topics = admin.listTopics();
                if (common.json()) {
                    JsonWriter w = Output.json().beginObject().name("topics").beginArray();
                    topics.forEach(w::value);
                    Output.print(w.endArray().endObject());
                } else {
                    topics.forEach(System.out::println);
                }
                return AdminTool.OK;
            }
        }
    }

    /** create and update: the settings of the topic. */
    abstract static class Write extends OneTopic {
        @Option(names = "--queues", description = "read and write queues per broker group")
        Integer queues;
        @Option(names = "--read-queues", description = "read queues per broker group (default: --queues)")
        Integer readQueues;
        @Option(names = "--write-queues", description = "write queues per broker group (default: --queues)")
        Integer writeQueues;
        @Option(names = "--perm", description = "permission: 2 read, 4 write, 6 both")
        Integer perm;
        @Option(names = "--order", description = "an ordered topic")
        Boolean order;
        @Option(names = "--cluster", description = "only the broker groups of this cluster (default: every group)")
        String cluster;

        /** The configuration to send, from {@code base} (the topic's current one, or the defaults). */
        TopicConfig config(TopicConfig base) {
            int r = readQueues != null ? readQueues : queues != null ? queues : base.readQueueNums();
            int w = writeQueues != null ? writeQueues : queues != null ? queues : base.writeQueueNums();
            int p = perm != null ? perm : base.perm();
            if (r <= 0 || w <= 0 || r > 1024 || w > 1024) {
                throw new IllegalArgumentException("queues must be in [1, 1024], got read " + r + " write " + w);
            }
            if ((p & ~(QueueData.PERM_READ | QueueData.PERM_WRITE)) != 0) {
                throw new IllegalArgumentException("--perm must be 0, 2, 4 or 6, got " + p);
            }
            return new TopicConfig(topic, r, w, p, base.topicFilterType(), base.topicSysFlag(),
                order != null ? order : base.order(), base.attributes());
        }

        int write(AdminClient admin, TopicConfig c, String verb) throws AdminException, InterruptedException {
            admin.createTopic(c, cluster);
            if (common.json()) {
                JsonWriter w = Output.json().beginObject();
                Output.str(w, "topic", c.topicName());
                w.field("readQueueNums", c.readQueueNums()).field("writeQueueNums", c.writeQueueNums())
                    .field("perm", c.perm()).field("order", c.order());
                Output.str(w, "cluster", cluster);
                Output.print(Output.str(w, "result", verb).endObject());
            } else {
                System.out.println(verb + " topic " + c.topicName() + ": read " + c.readQueueNums() + " write "
                    + c.writeQueueNums() + " perm " + c.perm() + (c.order() ? " ordered" : "") + " on "
                    + (cluster == null ? "every broker group" : "the broker groups of " + cluster));
            }
            return AdminTool.OK;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a topic (or overwrite its settings) on every broker group (default 8 queues, perm 6).")
    static final class Create extends Write {
        @Override
        public Integer call() throws AdminException, InterruptedException {
            try (AdminClient admin = common.open()) {
                return write(admin, config(TopicConfig.of(topic, 8)), "created");
            }
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
        description = "Change the settings given of an existing topic; the others stay. Exit 3 if there is no such "
            + "topic.")
    static final class Update extends Write {
        @Override
        public Integer call() throws AdminException, InterruptedException {
            try (AdminClient admin = common.open()) {
                TopicRouteData route = admin.topicRoute(topic); // 17 (exit 3) when unknown
                TopicConfig current = null;
                for (BrokerData bd : route.brokerDatas()) {
                    current = current != null ? current : admin.topicConfigs(bd.brokerName()).get(topic);
                }
                if (current == null) {
                    throw new AdminTool.NotFoundException("no broker group holds topic " + topic);
                }
                return write(admin, config(current), "updated");
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete a topic from every broker group and NameServer (its offsets go too). Exit 3 if the "
            + "NameServer does not list it.")
    static final class Delete extends OneTopic {
        @Override
        public Integer call() throws AdminException, InterruptedException {
            try (AdminClient admin = common.open()) {
                if (!admin.listTopics().contains(topic)) {
                    throw new AdminTool.NotFoundException("the NameServer lists no topic " + topic);
                }
                admin.deleteTopic(topic);
                if (common.json()) {
                    JsonWriter w = Output.json().beginObject();
                    Output.str(w, "topic", topic);
                    Output.print(Output.str(w, "result", "deleted").endObject());
                } else {
                    System.out.println("deleted topic " + topic);
                }
                return AdminTool.OK;
            }
        }
    }

    @Command(name = "route", mixinStandardHelpOptions = true,
        description = "The NameServer's route of a topic: its broker groups and their queues.")
    static final class Route extends OneTopic {
        @Override
        public Integer call() throws AdminException, InterruptedException {
            try (AdminClient admin = common.open()) {
                TopicRouteData r = admin.topicRoute(topic);
                if (common.json()) {
                    Output.print(routeJson(topic, r));
                    return AdminTool.OK;
                }
                Output.Table t = new Output.Table("GROUP", "CLUSTER", "BROKER_ID", "ADDRESS");
                for (BrokerData bd : r.brokerDatas()) {
                    bd.brokerAddrs().forEach((id, a) -> t.row(bd.brokerName(), bd.cluster(), id, a));
                }
                t.print();
                Output.Table q = new Output.Table("GROUP", "READ_QUEUES", "WRITE_QUEUES", "PERM");
                r.queueDatas().forEach(d -> q.row(d.brokerName(), d.readQueueNums(), d.writeQueueNums(), d.perm()));
                q.print();
                return AdminTool.OK;
            }
        }
    }

    static JsonWriter routeJson(String topic, TopicRouteData r) {
        JsonWriter w = Output.json().beginObject();
        Output.str(w, "topic", topic).name("brokers").beginArray();
        for (BrokerData bd : r.brokerDatas()) {
            Output.brokerData(w, bd);
        }
        w.endArray().name("queues").beginArray();
        for (QueueData d : r.queueDatas()) {
            w.beginObject();
            Output.str(w, "brokerName", d.brokerName());
            w.field("readQueueNums", d.readQueueNums()).field("writeQueueNums", d.writeQueueNums())
                .field("perm", d.perm()).endObject();
        }
        return w.endArray().endObject();
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Per queue: min and max offset, messages stored, store time of the last message (if known).")
    static final class Stats extends OneTopic {
        @Override
        public Integer call() throws AdminException, InterruptedException {
            try (AdminClient admin = common.open()) {
                TopicStatsTable s = admin.topicStats(topic);
                long total = messages(s);
                if (common.json()) {
                    Output.print(statsJson(topic, s, total));
                    return AdminTool.OK;
                }
                Output.Table t = new Output.Table("GROUP", "QUEUE", "MIN_OFFSET", "MAX_OFFSET", "MESSAGES",
                    "LAST_UPDATE");
                for (Map.Entry<MessageQueue, TopicOffset> e : s.offsetTable().entrySet()) {
                    TopicOffset o = e.getValue();
                    t.row(e.getKey().brokerName(), e.getKey().queueId(), o.minOffset(), o.maxOffset(),
                        o.maxOffset() - o.minOffset(), o.lastUpdateTimestamp() <= 0 ? "-"
                            : Instant.ofEpochMilli(o.lastUpdateTimestamp()).toString());
                }
                t.print();
                System.out.println("total messages " + total);
                return AdminTool.OK;
            }
        }
    }

    /** Messages the topic holds: the sum over its queues of max - min offset. */
    static long messages(TopicStatsTable s) {
        long total = 0;
        for (TopicOffset o : s.offsetTable().values()) {
            total += o.maxOffset() - o.minOffset();
        }
        return total;
    }

    static JsonWriter statsJson(String topic, TopicStatsTable s, long total) {
        JsonWriter w = Output.json().beginObject();
        Output.str(w, "topic", topic).name("queues").beginArray();
        for (Map.Entry<MessageQueue, TopicOffset> e : s.offsetTable().entrySet()) {
            TopicOffset o = e.getValue();
            w.beginObject();
            Output.str(w, "brokerName", e.getKey().brokerName());
            w.field("queueId", e.getKey().queueId()).field("minOffset", o.minOffset())
                .field("maxOffset", o.maxOffset()).field("messages", o.maxOffset() - o.minOffset())
                .field("lastUpdateTimestamp", o.lastUpdateTimestamp()).endObject();
        }
        return w.endArray().field("totalMessages", total).endObject();
    }
}
