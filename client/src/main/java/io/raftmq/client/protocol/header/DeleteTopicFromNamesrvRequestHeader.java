package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * DELETE_TOPIC_IN_NAMESRV (216) request header (docs/protocol.md §2.1).
 *
 * @param topic <b>required</b>: topic
 * @param clusterName optional: remove only this cluster's brokers
 */
public record DeleteTopicFromNamesrvRequestHeader(
        String topic,
        String clusterName) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static DeleteTopicFromNamesrvRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new DeleteTopicFromNamesrvRequestHeader(
                f.requireString("topic"),
                f.get("clusterName"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("topic", topic);
        f.put("clusterName", clusterName);
    }
}
