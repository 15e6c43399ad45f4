package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * QUERY_CONSUMER_OFFSET (14) request header (docs/protocol.md §2.5).
 *
 * @param consumerGroup <b>required</b>: group
 * @param topic <b>required</b>: topic
 * @param queueId <b>required</b>: queue
 * @param setZeroIfNotFound optional: answer 0 instead of 22 when nothing is stored (see docs/protocol.md §2.5)
 * @param bname optional: target broker name (RPC base field)
 */
public record QueryConsumerOffsetRequestHeader(
        String consumerGroup,
        String topic,
        int queueId,
        Boolean setZeroIfNotFound,
        String bname) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static QueryConsumerOffsetRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new QueryConsumerOffsetRequestHeader(
                f.requireString("consumerGroup"),
                f.requireString("topic"),
                f.requireInt("queueId"),
                f.optBooleanObject("setZeroIfNotFound"),
                f.get("bname"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("consumerGroup", consumerGroup);
        f.put("topic", topic);
        f.put("queueId", queueId);
        f.putIfNotNull("setZeroIfNotFound", setZeroIfNotFound);
        f.put("bname", bname);
    }
}
