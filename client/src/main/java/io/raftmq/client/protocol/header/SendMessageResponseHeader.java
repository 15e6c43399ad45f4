package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * Response header of the send family (docs/protocol.md §2.3). The broker adds MSG_REGION and TRACE_ON
 * with {@code RemotingCommand.addExtField} after this header (vector 05).
 *
 * @param msgId <b>required</b>: offset msgId (32 or 56 hex chars); comma-joined for a batch
 * @param queueId <b>required</b>: queue used
 * @param queueOffset <b>required</b>: consume-queue offset (first of a batch)
 * @param transactionId optional: the message's UNIQ_KEY
 * @param batchUniqId optional: inner-batch only; leave null
 * @param recallHandle optional: recall feature; leave null
 */
public record SendMessageResponseHeader(
        String msgId,
        int queueId,
        long queueOffset,
        String transactionId,
        String batchUniqId,
        String recallHandle) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static SendMessageResponseHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new SendMessageResponseHeader(
                f.requireString("msgId"),
                f.requireInt("queueId"),
                f.requireLong("queueOffset"),
                f.get("transactionId"),
                f.get("batchUniqId"),
                f.get("recallHandle"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("msgId", msgId);
        f.put("queueId", queueId);
        f.put("queueOffset", queueOffset);
        f.put("transactionId", transactionId);
        f.put("batchUniqId", batchUniqId);
        f.put("recallHandle", recallHandle);
    }

    /** extFields key of the broker's region, read unconditionally by the client (docs/protocol.md trap 1). */
    public static final String MSG_REGION = "MSG_REGION";
    /** extFields key of the trace switch. */
    public static final String TRACE_ON = "TRACE_ON";

    /**
     * A send response built the way the 5.3.3 broker builds it (extFields created by addExtField, so ordered like a
     * HashMap of capacity 256; header fields first, then TRACE_ON and MSG_REGION), which makes it byte-identical
     * to vectors 05 (JSON) and 33 (ROCKETMQ). The caller sets the opaque via {@code markResponseTo}.
     */
    public RemotingCommand toResponse(int code, String remark, String region, boolean traceOn) {
        RemotingCommand r = RemotingCommand.createResponse(code, remark);
        r.extFields(new ExtFields(ExtFields.CAPACITY_ADD_FIELD));
        encodeTo(r.extFields());
        r.extFields().put(TRACE_ON, traceOn);
        r.extFields().put(MSG_REGION, region);
        return r;
    }
}
