package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * PUT/GET/DELETE_KV_CONFIG (100/101/102) request header (docs/protocol.md §2.1); value only for PUT.
 *
 * @param namespace <b>required</b>: namespace, e.g. ORDER_TOPIC_CONFIG
 * @param key <b>required</b>: key
 * @param value optional: value (PUT)
 */
public record KvConfigRequestHeader(
        String namespace,
        String key,
        String value) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static KvConfigRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new KvConfigRequestHeader(
                f.requireString("namespace"),
                f.requireString("key"),
                f.get("value"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("namespace", namespace);
        f.put("key", key);
        f.put("value", value);
    }
}
