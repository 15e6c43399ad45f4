package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * GET_CONSUMER_RUNNING_INFO (307) request header (docs/protocol.md §2.12).
 *
 * @param consumerGroup <b>required</b>: group
 * @param clientId <b>required</b>: client
 * @param jstackEnable optional (default false): include stacks
 */
public record GetConsumerRunningInfoRequestHeader(
        String consumerGroup,
        String clientId,
        boolean jstackEnable) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static GetConsumerRunningInfoRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new GetConsumerRunningInfoRequestHeader(
                f.requireString("consumerGroup"),
                f.requireString("clientId"),
                f.optBoolean("jstackEnable", false));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("consumerGroup", consumerGroup);
        f.put("clientId", clientId);
        f.put("jstackEnable", jstackEnable);
    }
}
