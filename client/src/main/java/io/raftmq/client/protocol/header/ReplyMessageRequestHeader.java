package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * PUSH_REPLY_MESSAGE_TO_CLIENT (326) broker-to-client request header (docs/consumer-protocol.md "Request/reply"):
 * the stored reply message, described field by field (the body is the message body); the requesting client rebuilds
 * the message from it and completes the request waiting on its CORRELATION_ID property.
 *
 * @param producerGroup         <b>required</b>: the responder's producer group
 * @param topic                 <b>required</b>: the reply topic ({@code <cluster>_REPLY_TOPIC})
 * @param defaultTopic          <b>required</b>: the template topic of the responder's send (TBW102)
 * @param defaultTopicQueueNums <b>required</b>
 * @param queueId               <b>required</b>: the queue the reply was stored in
 * @param sysFlag               <b>required</b>: the stored SYSFLAG (compression bit: the body is compressed)
 * @param bornTimestamp         <b>required</b>
 * @param flag                  <b>required</b>: the message flag
 * @param properties            optional: the stored properties string
 * @param reconsumeTimes        optional
 * @param unitMode              optional (false)
 * @param bornHost              <b>required</b>: "ip:port"
 * @param storeHost             <b>required</b>: "ip:port"
 * @param storeTimestamp        <b>required</b>
 */
public record ReplyMessageRequestHeader(String producerGroup, String topic, String defaultTopic,
                                        int defaultTopicQueueNums, int queueId, int sysFlag, long bornTimestamp,
                                        int flag, String properties, Integer reconsumeTimes, boolean unitMode,
                                        String bornHost, String storeHost, long storeTimestamp)
    implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     *
     * @throws RemotingCommandException if a required field is missing or a number does not parse
     */
    public static ReplyMessageRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        String reconsume = f.get("reconsumeTimes");
        return new ReplyMessageRequestHeader(f.requireString("producerGroup"), f.requireString("topic"),
            f.requireString("defaultTopic"), f.requireInt("defaultTopicQueueNums"), f.requireInt("queueId"),
            f.requireInt("sysFlag"), f.requireLong("bornTimestamp"), f.requireInt("flag"), f.get("properties"),
            reconsume == null ? null : f.requireInt("reconsumeTimes"), Boolean.parseBoolean(f.get("unitMode")),
            f.requireString("bornHost"), f.requireString("storeHost"), f.requireLong("storeTimestamp"));
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
        if (reconsumeTimes != null) {
            f.put("reconsumeTimes", reconsumeTimes.intValue());
        }
        f.put("unitMode", unitMode);
        f.put("bornHost", bornHost);
        f.put("storeHost", storeHost);
        f.put("storeTimestamp", storeTimestamp);
    }
}
