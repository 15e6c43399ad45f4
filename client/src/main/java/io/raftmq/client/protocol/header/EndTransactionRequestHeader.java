package io.raftmq.client.protocol.header;

import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;

/**
 * END_TRANSACTION (37) request header (docs/protocol.md §2.9); arrives oneway.
 *
 * @param producerGroup <b>required</b>: producer group
 * @param tranStateTableOffset <b>required</b>: half message queue offset
 * @param commitLogOffset <b>required</b>: half message physical offset
 * @param commitOrRollback <b>required</b>: 0 unknown, 8 commit, 12 rollback
 * @param fromTransactionCheck optional: true when answering a check
 * @param msgId <b>required</b>: UNIQ_KEY
 * @param transactionId optional: from the send response
 * @param topic optional: real topic
 * @param bname optional: target broker name (RPC base field)
 */
public record EndTransactionRequestHeader(
        String producerGroup,
        long tranStateTableOffset,
        long commitLogOffset,
        int commitOrRollback,
        Boolean fromTransactionCheck,
        String msgId,
        String transactionId,
        String topic,
        String bname) implements CommandHeader {

    /**
     * Decodes the header from a command's extFields ({@code null} is treated as empty).
     * @throws RemotingCommandException if a required field is missing or a number does not parse (answer
     *     with its {@code responseCode()}, SYSTEM_ERROR)
     */
    public static EndTransactionRequestHeader decode(ExtFields fields) throws RemotingCommandException {
        ExtFields f = fields == null ? new ExtFields() : fields;
        return new EndTransactionRequestHeader(
                f.requireString("producerGroup"),
                f.requireLong("tranStateTableOffset"),
                f.requireLong("commitLogOffset"),
                f.requireInt("commitOrRollback"),
                f.optBooleanObject("fromTransactionCheck"),
                f.requireString("msgId"),
                f.get("transactionId"),
                f.get("topic"),
                f.get("bname"));
    }

    @Override
    public void encodeTo(ExtFields f) {
        f.put("producerGroup", producerGroup);
        f.put("tranStateTableOffset", tranStateTableOffset);
        f.put("commitLogOffset", commitLogOffset);
        f.put("commitOrRollback", commitOrRollback);
        f.putIfNotNull("fromTransactionCheck", fromTransactionCheck);
        f.put("msgId", msgId);
        f.put("transactionId", transactionId);
        f.put("topic", topic);
        f.put("bname", bname);
    }

    /** commitOrRollback: no decision. */
    public static final int TRANSACTION_NOT_TYPE = 0;
    /** commitOrRollback: commit. */
    public static final int TRANSACTION_COMMIT_TYPE = 8;
    /** commitOrRollback: roll back. */
    public static final int TRANSACTION_ROLLBACK_TYPE = 12;
}
