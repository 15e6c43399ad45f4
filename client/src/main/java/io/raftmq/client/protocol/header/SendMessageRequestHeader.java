package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;

/**
 * SEND_MESSAGE (10, long field names) and SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE (310/320, compact
 * field names a..n) request header (docs/protocol.md §2.3). {@link #encodeTo} writes the long names; {@link
 * #encodeV2To} the compact ones.
 *
 * @param producerGroup <b>required</b>: producer group
 * @param topic <b>required</b>: topic
 * @param defaultTopic <b>required</b>: auto-create template, normally TBW102
 * @param defaultTopicQueueNums <b>required</b>: queue count for auto-create
 * @param queueId <b>required</b>: target queue; &lt;0 means the broker picks
 * @param sysFlag <b>required</b>: message sysFlag (docs/protocol.md §3.2)
 * @param bornTimestamp <b>required</b>: client ms
 * @param flag <b>required</b>: user Message.flag
 * @param properties optional: properties string (docs/protocol.md §3.4)
 * @param reconsumeTimes optional (default 0): reconsume count for %RETRY% sends
 * @param unitMode optional (default false): unit mode
 * @param batch optional (default false): true for SEND_BATCH_MESSAGE
 * @param maxReconsumeTimes optional: only for %RETRY% sends
 * @param brokerName optional: target broker name (bname in code 10, n in v2)
 */
public record SendMessageRequestHeader(
        String producerGroup,
        String topic,
        String defaultTopic,
        int defaultTopicQueueNums,
        int queueId,
        int sysFlag,
        long bornTimestamp,
        int flag,
        String properties,
        int reconsumeTimes,
        boolean unitMode,
        boolean batch,
        Integer maxReconsumeTimes,
        String brokerName) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static SendMessageRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new SendMessageRequestHeader(
                f.requireString("producerGroup"),
                f.requireString("topic"),
                f.requireString("defaultTopic"),
                f.requireInt("defaultTopicQueueNums"),
                f.requireInt("queueId"),
                f.requireInt("sysFlag"),
                f.requireLong("bornTimestamp"),
                f.requireInt("flag"),
                f.get("properties"),
                f.optInt("reconsumeTimes", 0),
                f.optBoolean("unitMode", false),
                f.optBoolean("batch", false),
                f.optInteger("maxReconsumeTimes"),
                f.get("bname"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("producerGroup", producerGroup);
        f.put("topic", topic);
        f.put("defaultTopic", defaultTopic);
        f.put("defaultTopicQueueNums", defaultTopicQueueNums);
        f.put("queueId", queueId);
        f.put("sysFlag", sysFlag);
        f.put("bornTimestamp", bornTimestamp);
        f.put("flag", flag);
        f.put("properties", properties);
        f.put("reconsumeTimes", reconsumeTimes);
        f.put("unitMode", unitMode);
        f.put("batch", batch);
        f.putIfNotNull("maxReconsumeTimes", maxReconsumeTimes);
        f.put("bname", brokerName);
    }

    /**
     * Decodes SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE / SEND_REPLY_MESSAGE_V2 compact fields {@code a..n}.
     * @throws RemotingCommandException if a required field is missing or invalid
     */
    public static SendMessageRequestHeader decodeV2(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new SendMessageRequestHeader(
                f.requireString("a"),
                f.requireString("b"),
                f.requireString("c"),
                f.requireInt("d"),
                f.requireInt("e"),
                f.requireInt("f"),
                f.requireLong("g"),
                f.requireInt("h"),
                f.get("i"),
                f.optInt("j", 0),
                f.optBoolean("k", false),
                f.optBoolean("m", false),
                f.optInteger("l"),
                f.get("n"));
    }

    /**
     * Decodes either form by request code: v2 names for 310, 320 and 325, long names otherwise.
     * @throws RemotingCommandException if a required field is missing or invalid
     */
    public static SendMessageRequestHeader decode(int requestCode, ExtFields fields) throws RemotingCommandException {
        return isV2(requestCode) ? decodeV2(fields) : decode(fields);
    }

    /** Whether requests with this code carry the compact v2 field names ({@code a..n}). */
    public static boolean isV2(int requestCode) {
        return requestCode == RequestCode.SEND_MESSAGE_V2 || requestCode == RequestCode.SEND_BATCH_MESSAGE
                || requestCode == RequestCode.SEND_REPLY_MESSAGE_V2;
    }

    /** Writes the compact v2 form ({@code a..n} in that order, as the Java client does). */
    public void encodeV2To(ExtFields f) {
        f.put("a", producerGroup);
        f.put("b", topic);
        f.put("c", defaultTopic);
        f.put("d", defaultTopicQueueNums);
        f.put("e", queueId);
        f.put("f", sysFlag);
        f.put("g", bornTimestamp);
        f.put("h", flag);
        f.put("i", properties);
        f.put("j", reconsumeTimes);
        f.put("k", unitMode);
        f.putIfNotNull("l", maxReconsumeTimes);
        f.put("m", batch);
        f.put("n", brokerName);
    }

    /** This header as a {@link CommandHeader} that writes the compact v2 form. */
    public CommandHeader asV2() {
        return this::encodeV2To;
    }
}
