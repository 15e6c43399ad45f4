package io.raftmq.broker.transaction;

import io.raftmq.broker.entry.EntryFormatException;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.PayloadReader;
import io.raftmq.broker.entry.PayloadWriter;

/**
 * Payload of a {@link EntryType#TRANSACTION_OP} entry: one {@link TransactionOp}.
 *
 * <pre>
 *  0        1        2                                  10                 14
 *  +--------+--------+----------------------------------+------------------+
 *  | ver=1  | kind   | half offset (i64)                | checks (i32)     |
 *  +--------+--------+----------------------------------+------------------+
 *  kind: 1 = ROLLBACK (checks 0), 2 = CHECKED (checks >= 1)
 * </pre>
 * All integers big-endian; exactly {@value #LENGTH} bytes. Integrity is covered by the commit log record's CRC32C
 * (see {@link EntryType}). A well-formed op naming a half that is not pending is a no-op when applied.
 */
public final class TransactionOpCodec {
    public static final int VERSION_OFFSET = 0;
    public static final int KIND_OFFSET = 1;
    public static final int HALF_OFFSET_OFFSET = 2;
    public static final int CHECKS_OFFSET = 10;
    public static final int LENGTH = 14;

    static {
        if (LENGTH != CHECKS_OFFSET + 4 || CHECKS_OFFSET != HALF_OFFSET_OFFSET + 8) {
            throw new IllegalStateException("TransactionOpCodec layout");
        }
    }

    private TransactionOpCodec() {
    }

    /** The payload of {@code op}. */
    public static byte[] encode(TransactionOp op) {
        PayloadWriter w = new PayloadWriter(LENGTH);
        w.u8(EntryType.FORMAT_VERSION).u8(op.kind().code).i64(op.halfOffset()).i32(op.checks());
        byte[] out = w.toByteArray();
        if (out.length != LENGTH) {
            throw new IllegalStateException("TRANSACTION_OP payload is " + out.length + " bytes, not " + LENGTH);
        }
        return out;
    }

    /** Decodes a payload. @throws EntryFormatException if malformed */
    public static TransactionOp decode(byte[] payload) {
        if (payload.length != LENGTH) {
            throw new EntryFormatException("TRANSACTION_OP entry: " + payload.length + " bytes, not " + LENGTH);
        }
        PayloadReader r = new PayloadReader(payload, "TRANSACTION_OP entry");
        r.version(EntryType.FORMAT_VERSION);
        int kind = r.u8();
        long half = r.i64();
        int checks = r.i32();
        r.end();
        try {
            if (kind == TransactionOp.Kind.ROLLBACK.code) {
                return new TransactionOp(TransactionOp.Kind.ROLLBACK, half, checks);
            }
            if (kind == TransactionOp.Kind.CHECKED.code) {
                return new TransactionOp(TransactionOp.Kind.CHECKED, half, checks);
            }
        } catch (IllegalArgumentException e) {
            throw new EntryFormatException("TRANSACTION_OP entry: " + e.getMessage());
        }
        throw new EntryFormatException("TRANSACTION_OP entry: unknown kind " + kind);
    }
}
