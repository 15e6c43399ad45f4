package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * The request header of GET_MIN_OFFSET (31) and GET_EARLIEST_MSG_STORETIME (32) (docs/protocol.md §2.5): both name one
 * queue and carry the same fields.
 *
 * @param topic <b>required</b>: topic
 * @param queueId <b>required</b>: queue
 * @param bname optional: target broker name (RPC base field)
 */
public record QueueRequestHeader(
        String topic,
        int queueId,
        String bname) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static QueueRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new QueueRequestHeader(
                f.requireString("topic"),
                f.requireInt("queueId"),
                f.get("bname"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("topic", topic);
        f.put("queueId", queueId);
        f.put("bname", bname);
    }
}
