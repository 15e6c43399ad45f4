package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * CONSUMER_SEND_MSG_BACK (36) request header (docs/protocol.md §2.7).
 *
 * @param offset <b>required</b>: commit-log offset of the message
 * @param group <b>required</b>: consumer group
 * @param delayLevel <b>required</b>: 0 = broker decides, &lt;0 = DLQ, &gt;0 = level
 * @param originMsgId optional: UNIQ_KEY
 * @param originTopic optional: original topic
 * @param unitMode optional (default false): false
 * @param maxReconsumeTimes optional: 16 by default
 * @param bname optional: target broker name (RPC base field)
 */
public record ConsumerSendMsgBackRequestHeader(
        long offset,
        String group,
        int delayLevel,
        String originMsgId,
        String originTopic,
        boolean unitMode,
        Integer maxReconsumeTimes,
        String bname) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static ConsumerSendMsgBackRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new ConsumerSendMsgBackRequestHeader(
                f.requireLong("offset"),
                f.requireString("group"),
                f.requireInt("delayLevel"),
                f.get("originMsgId"),
                f.get("originTopic"),
                f.optBoolean("unitMode", false),
                f.optInteger("maxReconsumeTimes"),
                f.get("bname"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("offset", offset);
        f.put("group", group);
        f.put("delayLevel", delayLevel);
        f.put("originMsgId", originMsgId);
        f.put("originTopic", originTopic);
        f.put("unitMode", unitMode);
        f.putIfNotNull("maxReconsumeTimes", maxReconsumeTimes);
        f.put("bname", bname);
    }
}
