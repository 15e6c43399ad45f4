package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * UPDATE_CONSUMER_OFFSET (15) request header (docs/protocol.md §2.5); usually oneway.
 *
 * @param consumerGroup <b>required</b>: group
 * @param topic <b>required</b>: topic
 * @param queueId <b>required</b>: queue
 * @param commitOffset <b>required</b>: offset to store
 * @param bname optional: target broker name (RPC base field)
 */
public record UpdateConsumerOffsetRequestHeader(
        String consumerGroup,
        String topic,
        int queueId,
        long commitOffset,
        String bname) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static UpdateConsumerOffsetRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new UpdateConsumerOffsetRequestHeader(
                f.requireString("consumerGroup"),
                f.requireString("topic"),
                f.requireInt("queueId"),
                f.requireLong("commitOffset"),
                f.get("bname"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("consumerGroup", consumerGroup);
        f.put("topic", topic);
        f.put("queueId", queueId);
        f.put("commitOffset", commitOffset);
        f.put("bname", bname);
    }
}
