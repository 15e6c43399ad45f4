package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * DELETE_SUBSCRIPTIONGROUP (207) request header (docs/protocol.md §2.11).
 *
 * @param groupName <b>required</b>: group
 * @param cleanOffset optional (default false): also drop offsets
 */
public record DeleteSubscriptionGroupRequestHeader(
        String groupName,
        boolean cleanOffset) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static DeleteSubscriptionGroupRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new DeleteSubscriptionGroupRequestHeader(
                f.requireString("groupName"),
                f.optBoolean("cleanOffset", false));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("groupName", groupName);
        f.put("cleanOffset", cleanOffset);
    }
}
