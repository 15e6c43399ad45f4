package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * Header with only {@code topic} (+ RPC base {@code lo}): DELETE_TOPIC_IN_BROKER (215),
 * GET_TOPIC_STATS_INFO (202), GET_TOPIC_CONFIG (351, mqadmin sends lo=true) and QUERY_TOPIC_CONSUME_BY_WHO (300).
 *
 * @param topic <b>required</b>: topic
 * @param lo optional: static-topic logical flag (ignored)
 */
public record TopicRequestHeader(
        String topic,
        Boolean lo) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static TopicRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new TopicRequestHeader(
                f.requireString("topic"),
                f.optBooleanObject("lo"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("topic", topic);
        f.putIfNotNull("lo", lo);
    }
}
