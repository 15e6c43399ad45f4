package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;

/**
 * REGISTER_BROKER (103) response header (docs/protocol.md §2.1).
 *
 * @param haServerAddr optional: HA address
 * @param masterAddr optional: current master address
 */
public record RegisterBrokerResponseHeader(
        String haServerAddr,
        String masterAddr) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     *
     */
    public static RegisterBrokerResponseHeader decode(ExtFields fields) {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new RegisterBrokerResponseHeader(
                f.get("haServerAddr"),
                f.get("masterAddr"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("haServerAddr", haServerAddr);
        f.put("masterAddr", masterAddr);
    }
}
