package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * CLONE_GROUP_OFFSET (314) request header, {@code mqadmin cloneGroupOffset} (docs/consumer-protocol.md
 * "Subscription-group admin").
 *
 * @param srcGroup  <b>required</b>: the group whose offsets are copied
 * @param destGroup <b>required</b>: the group that gets them
 * @param topic     optional: only this topic's offsets (null or blank: every topic the source group has offsets of)
 * @param offline   optional (default false): false skips the topics the source group's live consumers do not
 *                  subscribe to (when it has live consumers)
 */
public record CloneGroupOffsetRequestHeader(
        String srcGroup,
        String destGroup,
        String topic,
        boolean offline) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing (answer with its {@code responseCode()})
     */
    public static CloneGroupOffsetRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new CloneGroupOffsetRequestHeader(
                f.requireString("srcGroup"),
                f.requireString("destGroup"),
                f.get("topic"),
                f.optBoolean("offline", false));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("srcGroup", srcGroup);
        f.put("destGroup", destGroup);
        if (topic != null) {
            f.put("topic", topic);
        }
        f.put("offline", offline);
    }
}
