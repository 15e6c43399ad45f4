package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;

/**
 * GET_KV_CONFIG (101) response header.
 *
 * @param value optional: value
 */
public record GetKvConfigResponseHeader(
        String value) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     *
     */
    public static GetKvConfigResponseHeader decode(ExtFields fields) {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new GetKvConfigResponseHeader(
                f.get("value"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("value", value);
    }
}
