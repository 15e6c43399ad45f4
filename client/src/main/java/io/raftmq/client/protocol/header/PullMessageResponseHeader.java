package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * PULL_MESSAGE response header (docs/protocol.md §2.4). Leave {@code offsetDelta} null: the client adds it to every
 * message's queueOffset (docs/protocol.md trap 8).
 *
 * @param suggestWhichBrokerId <b>required</b>: broker id for the next pull; RaftMQ sends 0
 * @param nextBeginOffset <b>required</b>: next offset to request
 * @param minOffset <b>required</b>: queue min offset
 * @param maxOffset <b>required</b>: queue max offset
 * @param offsetDelta optional: leave null
 * @param topicSysFlag optional: 0
 * @param groupSysFlag optional: 0
 * @param forbiddenType optional: only with NO_PERMISSION
 */
public record PullMessageResponseHeader(
        long suggestWhichBrokerId,
        long nextBeginOffset,
        long minOffset,
        long maxOffset,
        Long offsetDelta,
        Integer topicSysFlag,
        Integer groupSysFlag,
        Integer forbiddenType) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static PullMessageResponseHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new PullMessageResponseHeader(
                f.requireLong("suggestWhichBrokerId"),
                f.requireLong("nextBeginOffset"),
                f.requireLong("minOffset"),
                f.requireLong("maxOffset"),
                f.optLongObject("offsetDelta"),
                f.optInteger("topicSysFlag"),
                f.optInteger("groupSysFlag"),
                f.optInteger("forbiddenType"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("suggestWhichBrokerId", suggestWhichBrokerId);
        f.put("nextBeginOffset", nextBeginOffset);
        f.put("minOffset", minOffset);
        f.put("maxOffset", maxOffset);
        f.putIfNotNull("offsetDelta", offsetDelta);
        f.putIfNotNull("topicSysFlag", topicSysFlag);
        f.putIfNotNull("groupSysFlag", groupSysFlag);
        f.putIfNotNull("forbiddenType", forbiddenType);
    }
}
