package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * GET_EARLIEST_MSG_STORETIME (32) response header.
 *
 * @param timestamp <b>required</b>: store time of the message at the min offset
 */
public record GetEarliestMsgStoretimeResponseHeader(
        long timestamp) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static GetEarliestMsgStoretimeResponseHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new GetEarliestMsgStoretimeResponseHeader(
                f.requireLong("timestamp"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("timestamp", timestamp);
    }
}
