package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * UNREGISTER_CLIENT (35) request header (docs/protocol.md §2.2).
 *
 * @param clientID <b>required</b>: client id
 * @param producerGroup optional: producer group
 * @param consumerGroup optional: consumer group
 */
public record UnregisterClientRequestHeader(
        String clientID,
        String producerGroup,
        String consumerGroup) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static UnregisterClientRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new UnregisterClientRequestHeader(
                f.requireString("clientID"),
                f.get("producerGroup"),
                f.get("consumerGroup"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("clientID", clientID);
        f.put("producerGroup", producerGroup);
        f.put("consumerGroup", consumerGroup);
    }
}
