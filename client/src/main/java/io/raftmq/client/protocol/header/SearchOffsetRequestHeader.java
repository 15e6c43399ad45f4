package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * SEARCH_OFFSET_BY_TIMESTAMP (29) request header (docs/protocol.md §2.5). A missing or unknown boundaryType is
 * LOWER.
 *
 * @param topic <b>required</b>: topic
 * @param queueId <b>required</b>: queue
 * @param timestamp <b>required</b>: ms
 * @param boundaryType optional (default null): LOWER or UPPER
 * @param bname optional: target broker name (RPC base field)
 */
public record SearchOffsetRequestHeader(
        String topic,
        int queueId,
        long timestamp,
        BoundaryType boundaryType,
        String bname) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static SearchOffsetRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new SearchOffsetRequestHeader(
                f.requireString("topic"),
                f.requireInt("queueId"),
                f.requireLong("timestamp"),
                BoundaryType.parse(f.get("boundaryType")),
                f.get("bname"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("topic", topic);
        f.put("queueId", queueId);
        f.put("timestamp", timestamp);
        f.put("boundaryType", boundaryType.name());
        f.put("bname", bname);
    }
}
