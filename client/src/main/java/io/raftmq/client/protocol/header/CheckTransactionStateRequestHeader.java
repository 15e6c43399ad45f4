package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * CHECK_TRANSACTION_STATE (39) broker-to-client oneway request header (docs/protocol.md §2.9, vector 35).
 *
 * @param topic optional: real topic
 * @param tranStateTableOffset <b>required</b>: half queue offset
 * @param commitLogOffset <b>required</b>: half physical offset
 * @param msgId optional: UNIQ_KEY
 * @param transactionId optional: UNIQ_KEY
 * @param offsetMsgId optional: offset id of the half message
 * @param bname optional: target broker name (RPC base field)
 */
public record CheckTransactionStateRequestHeader(
        String topic,
        long tranStateTableOffset,
        long commitLogOffset,
        String msgId,
        String transactionId,
        String offsetMsgId,
        String bname) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static CheckTransactionStateRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new CheckTransactionStateRequestHeader(
                f.get("topic"),
                f.requireLong("tranStateTableOffset"),
                f.requireLong("commitLogOffset"),
                f.get("msgId"),
                f.get("transactionId"),
                f.get("offsetMsgId"),
                f.get("bname"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("topic", topic);
        f.put("tranStateTableOffset", tranStateTableOffset);
        f.put("commitLogOffset", commitLogOffset);
        f.put("msgId", msgId);
        f.put("transactionId", transactionId);
        f.put("offsetMsgId", offsetMsgId);
        f.put("bname", bname);
    }
}
