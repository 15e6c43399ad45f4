package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * Header with only {@code producerGroup}: GET_PRODUCER_CONNECTION_LIST (204).
 *
 * @param producerGroup <b>required</b>: producer group
 */
public record ProducerGroupHeader(
        String producerGroup) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static ProducerGroupHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new ProducerGroupHeader(
                f.requireString("producerGroup"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("producerGroup", producerGroup);
    }
}
