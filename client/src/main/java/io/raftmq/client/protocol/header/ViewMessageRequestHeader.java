package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * VIEW_MESSAGE_BY_ID (33) request header (docs/protocol.md §2.10).
 *
 * @param offset <b>required</b>: physical (commit-log) offset
 * @param topic optional: topic
 */
public record ViewMessageRequestHeader(
        long offset,
        String topic) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static ViewMessageRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new ViewMessageRequestHeader(
                f.requireLong("offset"),
                f.get("topic"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("offset", offset);
        f.put("topic", topic);
    }
}
