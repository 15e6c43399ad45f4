package io.raftmq.tools.admin;

import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.admin.AdminException;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.json.JsonWriter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;

/**
 * {@code raftmq-admin offset reset}: moves a consumer group's offsets of a topic to a time or an offset
 * (INVOKE_BROKER_TO_RESET_OFFSET 222 through {@link AdminClient#resetOffsetByTime} / {@link AdminClient#resetOffsetTo};
 * docs/consumer-protocol.md "Offset reset and consumer introspection": committed through the Raft log, live
 * consumers told) and prints each queue's new offset (docs/admin.md "offset reset").
 */
@Command(name = "offset", mixinStandardHelpOptions = true, description = "Consumer offsets.",
    subcommands = OffsetCommands.Reset.class)
final class OffsetCommands extends AdminTool.Group {

    /** Exactly one target. */
    static final class Target {
        @Option(names = "--to-time", required = true, paramLabel = "EPOCH_MS|ISO-8601",
            description = "the first message stored at or after this time (e.g. 1700000000000 or "
                + "2026-01-31T12:00:00Z); -1: each queue's end")
        String toTime;
        @Option(names = "--to-offset", required = true, paramLabel = "N",
            description = "this offset (clamped to each queue's min and max)")
        Long toOffset;
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
        description = "Move a consumer group's offsets of a topic, forward or back, on every broker group. "
            + "Exit 3 if the topic is unknown.")
    static final class Reset implements Callable<Integer> {
        @Mixin
        CommonOptions common;
        @Option(names = {"--group", "-g"}, required = true, description = "the consumer group")
        String group;
        @Option(names = {"--topic", "-t"}, required = true, description = "the topic")
        String topic;
        @ArgGroup(multiplicity = "1")
        Target target;
        @Option(names = "--queue", paramLabel = "Q", description = "with --to-offset: only this queue id")
        Integer queue;

        @Override
        public Integer call() throws AdminException, InterruptedException {
            if (queue != null && target.toOffset == null) {
                throw new IllegalArgumentException("--queue goes with --to-offset");
            }
            if (target.toOffset != null && target.toOffset < 0) {
                throw new IllegalArgumentException("--to-offset must be >= 0, got " + target.toOffset);
            }
            long ms = target.toTime == null ? -1 : parseTime(target.toTime);
            try (AdminClient admin = common.open()) {
                SortedMap<MessageQueue, Long> table = target.toOffset != null
                    ? admin.resetOffsetTo(group, topic, queue == null ? -1 : queue, target.toOffset)
                    : admin.resetOffsetByTime(group, topic, ms);
                if (table.isEmpty()) {
                    throw new AdminTool.NotFoundException("topic " + topic + " has no queue"
                        + (queue == null ? "" : " " + queue) + " to reset");
                }
                print(table);
                return AdminTool.OK;
            }
        }

        private void print(SortedMap<MessageQueue, Long> table) {
            if (common.json()) {
                JsonWriter w = Output.json().beginObject();
                Output.str(w, "group", group);
                Output.str(w, "topic", topic).name("queues").beginArray();
                for (Map.Entry<MessageQueue, Long> e : table.entrySet()) {
                    w.beginObject();
                    Output.str(w, "brokerName", e.getKey().brokerName());
                    w.field("queueId", e.getKey().queueId()).field("offset", e.getValue()).endObject();
                }
                Output.print(w.endArray().endObject());
                return;
            }
            Output.Table t = new Output.Table("TOPIC", "GROUP", "QUEUE", "NEW_OFFSET");
            table.forEach((q, o) -> t.row(q.topic(), q.brokerName(), q.queueId(), o));
            t.print();
        }
    }

    /** Epoch milliseconds, -1, or an ISO-8601 instant or offset date-time. */
    static long parseTime(String s) {
        if (s.matches("-?[0-9]+")) {
            long v = Long.parseLong(s);
            if (v < -1) {
                throw new IllegalArgumentException("--to-time must be -1 or epoch ms >= 0, got " + s);
            }
            return v;
        }
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException notInstant) {
            try {
                return OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--to-time must be epoch ms or ISO-8601 (2026-01-31T12:00:00Z), "
                    + "got '" + s + "'");
            }
        }
    }
}
