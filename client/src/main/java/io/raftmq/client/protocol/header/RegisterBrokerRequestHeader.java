package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * REGISTER_BROKER (103) request header (docs/protocol.md §2.1), modelled on RocketMQ's; RaftMQ's broker-to-naming
 * link uses it with a RegisterBrokerBody JSON body. The Raft leader registers with brokerId 0.
 *
 * @param brokerName <b>required</b>: broker group name
 * @param brokerAddr <b>required</b>: ip:port clients dial
 * @param clusterName <b>required</b>: cluster
 * @param haServerAddr <b>required</b>: HA address (unused with Raft; send brokerAddr)
 * @param brokerId <b>required</b>: 0 = leader/master
 * @param heartbeatTimeoutMillis optional: expiry without re-registration
 * @param enableActingMaster optional: false
 * @param compressed optional (default false): body is zlib-compressed (not used by RaftMQ)
 * @param bodyCrc32 optional (default 0): CRC32 of the body, 0 = unchecked
 */
public record RegisterBrokerRequestHeader(
        String brokerName,
        String brokerAddr,
        String clusterName,
        String haServerAddr,
        long brokerId,
        Long heartbeatTimeoutMillis,
        Boolean enableActingMaster,
        boolean compressed,
        int bodyCrc32) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static RegisterBrokerRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new RegisterBrokerRequestHeader(
                f.requireString("brokerName"),
                f.requireString("brokerAddr"),
                f.requireString("clusterName"),
                f.requireString("haServerAddr"),
                f.requireLong("brokerId"),
                f.optLongObject("heartbeatTimeoutMillis"),
                f.optBooleanObject("enableActingMaster"),
                f.optBoolean("compressed", false),
                f.optInt("bodyCrc32", 0));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("brokerName", brokerName);
        f.put("brokerAddr", brokerAddr);
        f.put("clusterName", clusterName);
        f.put("haServerAddr", haServerAddr);
        f.put("brokerId", brokerId);
        f.putIfNotNull("heartbeatTimeoutMillis", heartbeatTimeoutMillis);
        f.putIfNotNull("enableActingMaster", enableActingMaster);
        f.put("compressed", compressed);
        f.put("bodyCrc32", bodyCrc32);
    }
}
