package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * Header with only {@code consumerGroup}: GET_CONSUMER_LIST_BY_GROUP (38),
 * NOTIFY_CONSUMER_IDS_CHANGED (40, broker to client, oneway, vector 34) and GET_CONSUMER_CONNECTION_LIST (203).
 *
 * @param consumerGroup <b>required</b>: consumer group
 */
public record ConsumerGroupHeader(
        String consumerGroup) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static ConsumerGroupHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new ConsumerGroupHeader(
                f.requireString("consumerGroup"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("consumerGroup", consumerGroup);
    }
}
