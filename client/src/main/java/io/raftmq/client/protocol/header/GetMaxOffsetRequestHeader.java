package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * GET_MAX_OFFSET (30) request header (docs/protocol.md §2.5).
 *
 * @param topic <b>required</b>: topic
 * @param queueId <b>required</b>: queue
 * @param committed optional (default true): always true from 5.3.3 clients
 * @param bname optional: target broker name (RPC base field)
 */
public record GetMaxOffsetRequestHeader(
        String topic,
        int queueId,
        boolean committed,
        String bname) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static GetMaxOffsetRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new GetMaxOffsetRequestHeader(
                f.requireString("topic"),
                f.requireInt("queueId"),
                f.optBoolean("committed", true),
                f.get("bname"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("topic", topic);
        f.put("queueId", queueId);
        f.put("committed", committed);
        f.put("bname", bname);
    }
}
