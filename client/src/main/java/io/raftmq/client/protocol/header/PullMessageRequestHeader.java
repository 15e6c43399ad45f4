package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361) request header (docs/protocol.md §2.4). sysFlag bits are the
 * {@code FLAG_*} constants.
 *
 * @param consumerGroup <b>required</b>: consumer group
 * @param topic <b>required</b>: topic
 * @param queueId <b>required</b>: queue
 * @param queueOffset <b>required</b>: logical offset to read from
 * @param maxMsgNums <b>required</b>: message count limit
 * @param sysFlag <b>required</b>: PullSysFlag bits
 * @param commitOffset <b>required</b>: consumer's offset, -1 if none; only with FLAG_COMMIT_OFFSET
 * @param suspendTimeoutMillis <b>required</b>: long-poll hold limit
 * @param subscription optional: expression, only with FLAG_SUBSCRIPTION
 * @param subVersion <b>required</b>: subscription version
 * @param expressionType optional: TAG (default) or SQL92
 * @param maxMsgBytes optional: byte limit (push 262144)
 * @param bname optional: target broker name (RPC base field)
 */
public record PullMessageRequestHeader(
        String consumerGroup,
        String topic,
        int queueId,
        long queueOffset,
        int maxMsgNums,
        int sysFlag,
        long commitOffset,
        long suspendTimeoutMillis,
        String subscription,
        long subVersion,
        String expressionType,
        Integer maxMsgBytes,
        String bname) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static PullMessageRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new PullMessageRequestHeader(
                f.requireString("consumerGroup"),
                f.requireString("topic"),
                f.requireInt("queueId"),
                f.requireLong("queueOffset"),
                f.requireInt("maxMsgNums"),
                f.requireInt("sysFlag"),
                f.requireLong("commitOffset"),
                f.requireLong("suspendTimeoutMillis"),
                f.get("subscription"),
                f.requireLong("subVersion"),
                f.get("expressionType"),
                f.optInteger("maxMsgBytes"),
                f.get("bname"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("consumerGroup", consumerGroup);
        f.put("topic", topic);
        f.put("queueId", queueId);
        f.put("queueOffset", queueOffset);
        f.put("maxMsgNums", maxMsgNums);
        f.put("sysFlag", sysFlag);
        f.put("commitOffset", commitOffset);
        f.put("suspendTimeoutMillis", suspendTimeoutMillis);
        f.put("subscription", subscription);
        f.put("subVersion", subVersion);
        f.put("expressionType", expressionType);
        f.putIfNotNull("maxMsgBytes", maxMsgBytes);
        f.put("bname", bname);
    }

    /** PullSysFlag: piggybacked commitOffset is valid. */
    public static final int FLAG_COMMIT_OFFSET = 0x1;
    /** PullSysFlag: the broker may hold the request (long polling). */
    public static final int FLAG_SUSPEND = 0x2;
    /** PullSysFlag: use the request's subscription. */
    public static final int FLAG_SUBSCRIPTION = 0x4;
    /** PullSysFlag: obsolete class filter. */
    public static final int FLAG_CLASS_FILTER = 0x8;
    /** PullSysFlag: lite pull consumer. */
    public static final int FLAG_LITE_PULL = 0x10;
}
