package io.raftmq.tools.admin;

import io.raftmq.client.admin.ConsumerProgress;
import io.raftmq.client.admin.MessageView;
import io.raftmq.client.protocol.body.Connection;
import io.raftmq.client.protocol.body.TopicStatsTable;

import java.util.List;

/**
 * The JSON documents of {@code bin/raftmq-admin --output json} (docs/admin.md) for other tools that show the same
 * things, such as the dashboard: one shape per kind, written in one place.
 */
public final class AdminJson {
    private AdminJson() {
    }

    /** {@code topic stats}'s document. */
    public static String topicStats(String topic, TopicStatsTable s) {
        return TopicCommands.statsJson(topic, s, TopicCommands.messages(s)).toString();
    }

    /** {@code group progress}'s document ({@code topic} null: every topic of the group). */
    public static String progress(ConsumerProgress p, String topic) {
        return GroupCommands.progressJson(p, topic).toString();
    }

    /** {@code group clients}'s document. */
    public static String clients(String group, List<Connection> cs) {
        return GroupCommands.clientsJson(group, cs).toString();
    }

    /** {@code message get}'s document. */
    public static String messages(List<MessageView> found) {
        return MessageCommands.json(found).toString();
    }
}
