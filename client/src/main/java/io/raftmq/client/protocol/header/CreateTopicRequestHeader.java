package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * UPDATE_AND_CREATE_TOPIC (17) request header (docs/protocol.md §2.11).
 *
 * @param topic <b>required</b>: topic
 * @param defaultTopic <b>required</b>: TBW102
 * @param readQueueNums <b>required</b>: read queues
 * @param writeQueueNums <b>required</b>: write queues
 * @param perm <b>required</b>: permission bits (6 default)
 * @param topicFilterType <b>required</b>: SINGLE_TAG
 * @param topicSysFlag optional: sys flag
 * @param order optional (default false): ordered topic
 * @param attributes optional: attribute string
 * @param force optional: force update
 */
public record CreateTopicRequestHeader(
        String topic,
        String defaultTopic,
        int readQueueNums,
        int writeQueueNums,
        int perm,
        String topicFilterType,
        Integer topicSysFlag,
        boolean order,
        String attributes,
        Boolean force) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static CreateTopicRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new CreateTopicRequestHeader(
                f.requireString("topic"),
                f.requireString("defaultTopic"),
                f.requireInt("readQueueNums"),
                f.requireInt("writeQueueNums"),
                f.requireInt("perm"),
                f.requireString("topicFilterType"),
                f.optInteger("topicSysFlag"),
                f.optBoolean("order", false),
                f.get("attributes"),
                f.optBooleanObject("force"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("topic", topic);
        f.put("defaultTopic", defaultTopic);
        f.put("readQueueNums", readQueueNums);
        f.put("writeQueueNums", writeQueueNums);
        f.put("perm", perm);
        f.put("topicFilterType", topicFilterType);
        f.putIfNotNull("topicSysFlag", topicSysFlag);
        f.put("order", order);
        f.put("attributes", attributes);
        f.putIfNotNull("force", force);
    }
}
