package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * QUERY_MESSAGE (12) response header (sent with both 0 and 22).
 *
 * @param indexLastUpdateTimestamp <b>required</b>: ms
 * @param indexLastUpdatePhyoffset <b>required</b>: physical offset
 */
public record QueryMessageResponseHeader(
        long indexLastUpdateTimestamp,
        long indexLastUpdatePhyoffset) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static QueryMessageResponseHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new QueryMessageResponseHeader(
                f.requireLong("indexLastUpdateTimestamp"),
                f.requireLong("indexLastUpdatePhyoffset"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("indexLastUpdateTimestamp", indexLastUpdateTimestamp);
        f.put("indexLastUpdatePhyoffset", indexLastUpdatePhyoffset);
    }
}
