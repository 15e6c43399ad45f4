package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * Response header carrying one {@code offset}: QUERY_CONSUMER_OFFSET (14), GET_MAX_OFFSET (30),
 * GET_MIN_OFFSET (31) and SEARCH_OFFSET_BY_TIMESTAMP (29) all answer with this single field (vector 29).
 *
 * @param offset <b>required</b>: the offset
 */
public record OffsetResponseHeader(
        long offset) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static OffsetResponseHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new OffsetResponseHeader(
                f.requireLong("offset"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("offset", offset);
    }
}
