package io.raftmq.broker.transaction;

/**
 * One decision about a half message, carried by a {@code TRANSACTION_OP} entry ({@link TransactionOpCodec}):
 * {@link Kind#ROLLBACK} resolves the half at {@code halfOffset}; {@link Kind#CHECKED} records that the leader asks
 * its producer group for the {@code checks}-th time. Commits and check-max discards need no op: the message they
 * write names the half in PREPAREDTRANSACTIONOFFSET (docs/messaging.md, source rule).
 *
 * @param kind       what happened
 * @param halfOffset the half message's physical offset in the commit log
 * @param checks     CHECKED: the number of check-backs so far, this one included (1..); ROLLBACK: 0
 */
public record TransactionOp(Kind kind, long halfOffset, int checks) {
    /** The operations, with their one-byte code in the entry. */
    public enum Kind {
        ROLLBACK(1), CHECKED(2);

        final int code;

        Kind(int code) {
            this.code = code;
        }
    }

    public TransactionOp {
        if (kind == null || halfOffset < 0) {
            throw new IllegalArgumentException("a transaction op needs a kind and a half offset >= 0");
        }
        if (kind == Kind.ROLLBACK ? checks != 0 : checks <= 0) {
            throw new IllegalArgumentException("bad check count " + checks + " for " + kind);
        }
    }

    /** ROLLBACK of the half at {@code halfOffset}. */
    public static TransactionOp rollback(long halfOffset) {
        return new TransactionOp(Kind.ROLLBACK, halfOffset, 0);
    }

    /** CHECKED: the half at {@code halfOffset} is being asked about for the {@code checks}-th time. */
    public static TransactionOp checked(long halfOffset, int checks) {
        return new TransactionOp(Kind.CHECKED, halfOffset, checks);
    }
}
