package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * QUERY_MESSAGE (12) request header (docs/protocol.md §2.10), including the ad-hoc extField
 * {@code _UNIQUE_KEY_QUERY}.
 *
 * @param topic <b>required</b>: topic
 * @param key <b>required</b>: key or uniq key
 * @param maxNum <b>required</b>: result limit
 * @param beginTimestamp <b>required</b>: ms
 * @param endTimestamp <b>required</b>: ms
 * @param uniqueKeyQuery optional (default false): a uniq-key query
 */
public record QueryMessageRequestHeader(
        String topic,
        String key,
        int maxNum,
        long beginTimestamp,
        long endTimestamp,
        boolean uniqueKeyQuery) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static QueryMessageRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new QueryMessageRequestHeader(
                f.requireString("topic"),
                f.requireString("key"),
                f.requireInt("maxNum"),
                f.requireLong("beginTimestamp"),
                f.requireLong("endTimestamp"),
                f.optBoolean("_UNIQUE_KEY_QUERY", false));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("topic", topic);
        f.put("key", key);
        f.put("maxNum", maxNum);
        f.put("beginTimestamp", beginTimestamp);
        f.put("endTimestamp", endTimestamp);
        f.put("_UNIQUE_KEY_QUERY", uniqueKeyQuery);
    }
}
