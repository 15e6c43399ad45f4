package io.raftmq.client.producer;

/**
 * What a {@link TransactionListener} says of a local transaction, sent to the broker as END_TRANSACTION's
 * {@code commitOrRollback} (docs/protocol.md §2.9): COMMIT 8 makes the half message visible, ROLLBACK 12 drops it,
 * UNKNOWN 0 leaves it pending (the broker checks back later).
 */
public enum TransactionState {
    COMMIT(8), ROLLBACK(12), UNKNOWN(0);

    private final int wireCode;

    TransactionState(int wireCode) {
        this.wireCode = wireCode;
    }

    /** END_TRANSACTION's commitOrRollback value. */
    public int wireCode() {
        return wireCode;
    }
}
