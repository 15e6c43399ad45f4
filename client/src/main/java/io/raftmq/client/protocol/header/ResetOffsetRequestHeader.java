package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * INVOKE_BROKER_TO_RESET_OFFSET (222, admin to broker) and RESET_CONSUMER_CLIENT_OFFSET (220, broker to client)
 * request header (docs/consumer-protocol.md "Offset reset and consumer introspection").
 *
 * @param topic     <b>required</b>
 * @param group     <b>required</b>: the consumer group
 * @param queueId   optional (-1: every queue of the topic)
 * @param offset    optional: reset to this offset instead of a time (with queueId)
 * @param timestamp <b>required</b>: reset to the first message stored at or after this time (ms); -1: to the end
 * @param isForce   <b>required</b>: also move offsets forward (false: only back)
 */
public record ResetOffsetRequestHeader(String topic, String group, int queueId, Long offset, long timestamp,
                                       boolean isForce) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     *
     * @throws RemotingCommandException if a required field is missing or a number does not parse
     */
    public static ResetOffsetRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        String queueId = f.get("queueId");
        String offset = f.get("offset");
        return new ResetOffsetRequestHeader(f.requireString("topic"), f.requireString("group"),
            queueId == null ? -1 : f.requireInt("queueId"), offset == null ? null : f.requireLong("offset"),
            f.requireLong("timestamp"), f.requireBoolean("isForce"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("topic", topic);
        f.put("group", group);
        f.put("queueId", queueId);
        if (offset != null) {
            f.put("offset", offset.longValue());
        }
        f.put("timestamp", timestamp);
        f.put("isForce", isForce);
    }
}
