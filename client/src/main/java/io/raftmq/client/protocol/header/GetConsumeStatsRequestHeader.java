package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * GET_CONSUME_STATS (208) request header (docs/protocol.md §2.11).
 *
 * @param consumerGroup <b>required</b>: group
 * @param topic optional: one topic
 * @param topicList optional: comma-separated topics
 */
public record GetConsumeStatsRequestHeader(
        String consumerGroup,
        String topic,
        String topicList) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static GetConsumeStatsRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new GetConsumeStatsRequestHeader(
                f.requireString("consumerGroup"),
                f.get("topic"),
                f.get("topicList"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("consumerGroup", consumerGroup);
        f.put("topic", topic);
        f.put("topicList", topicList);
    }
}
