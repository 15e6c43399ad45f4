package io.raftmq.broker.transaction;

/**
 * The topic and property names of transactional messages (docs/protocol.md §2.9, §3.5, §5.8): where a half message
 * is parked, where a half that exhausted its check-backs is copied, and the properties the producer and the broker
 * put on a half message.
 */
public final class TransactionNames {
    /** Topic of every half (prepared) message, queue 0; never consumed by the real topic's consumers. */
    public static final String HALF_TOPIC = "RMQ_SYS_TRANS_HALF_TOPIC";
    /** Topic a half message is copied to after {@code transactionCheckMax} unanswered check-backs. */
    public static final String CHECK_MAX_TOPIC = "TRANS_CHECK_MAX_TIME_TOPIC";
    /** The topic the producer sent the half message to. */
    public static final String REAL_TOPIC = "REAL_TOPIC";
    /** The queue the producer sent the half message to. */
    public static final String REAL_QID = "REAL_QID";
    /** Set by the producer on a half message; dropped from the committed message. */
    public static final String TRAN_MSG = "TRAN_MSG";
    /** The producer group that is asked about the transaction's outcome. */
    public static final String PGROUP = "PGROUP";
    /** Optional: seconds before the first check-back (never earlier than transactionTimeoutMs). */
    public static final String CHECK_IMMUNITY_TIME_IN_SECONDS = "CHECK_IMMUNITY_TIME_IN_SECONDS";

    private TransactionNames() {
    }
}
