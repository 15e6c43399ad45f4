package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * GET_ROUTEINFO_BY_TOPIC (105) request header (docs/protocol.md §2.1, vectors 01/02).
 *
 * @param topic <b>required</b>: topic
 * @param acceptStandardJsonOnly optional: ask for quoted map keys
 */
public record GetRouteInfoRequestHeader(
        String topic,
        Boolean acceptStandardJsonOnly) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static GetRouteInfoRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new GetRouteInfoRequestHeader(
                f.requireString("topic"),
                f.optBooleanObject("acceptStandardJsonOnly"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("topic", topic);
        f.putIfNotNull("acceptStandardJsonOnly", acceptStandardJsonOnly);
    }
}
