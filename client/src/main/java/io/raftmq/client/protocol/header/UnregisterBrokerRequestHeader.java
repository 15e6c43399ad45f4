package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * UNREGISTER_BROKER (104) request header (docs/protocol.md §2.1).
 *
 * @param brokerName <b>required</b>: broker group name
 * @param brokerAddr <b>required</b>: ip:port
 * @param clusterName <b>required</b>: cluster
 * @param brokerId <b>required</b>: broker id
 */
public record UnregisterBrokerRequestHeader(
        String brokerName,
        String brokerAddr,
        String clusterName,
        long brokerId) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static UnregisterBrokerRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new UnregisterBrokerRequestHeader(
                f.requireString("brokerName"),
                f.requireString("brokerAddr"),
                f.requireString("clusterName"),
                f.requireLong("brokerId"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("brokerName", brokerName);
        f.put("brokerAddr", brokerAddr);
        f.put("clusterName", clusterName);
        f.put("brokerId", brokerId);
    }
}
