package io.raftmq.commitlog.message;

/**
 * Message sysFlag bits (docs/protocol.md §3.2) and the predicates the store needs. The transaction state lives in
 * {@code sysFlag & 0xC}; prepared and rollback messages get no ConsumeQueue unit and queue offset 0.
 */
public final class SysFlag {
    /** Body is compressed (the broker stores it unchanged; consumers inflate). */
    public static final int COMPRESSED = 0x1;
    /** Legacy MULTI_TAG filter type. */
    public static final int MULTI_TAGS = 0x2;
    /** Mask of the transaction state. */
    public static final int TRANSACTION_MASK = 0xC;
    /** Not a transactional message. */
    public static final int TRANSACTION_NOT = 0x0;
    /** Transactional half (prepared) message. */
    public static final int TRANSACTION_PREPARED = 0x4;
    /** Committed transactional message. */
    public static final int TRANSACTION_COMMIT = 0x8;
    /** Rolled-back transactional message. */
    public static final int TRANSACTION_ROLLBACK = 0xC;
    /** Born host is IPv6: the BORNHOST field is 16 + 4 bytes. */
    public static final int BORNHOST_V6 = 0x10;
    /** Store host is IPv6: the STOREHOST field is 16 + 4 bytes. */
    public static final int STOREHOST_V6 = 0x20;
    /** Inner-batch record (batch-CQ topics only). */
    public static final int NEED_UNWRAP = 0x40;
    /** Inner-batch record. */
    public static final int INNER_BATCH = 0x80;
    /** Mask of the compression type bits (1 LZ4, 2 ZSTD, 3 ZLIB, 0 ZLIB for old clients). */
    public static final int COMPRESSION_TYPE_MASK = 0x700;

    private SysFlag() {
    }

    /** The transaction state bits of {@code sysFlag}. */
    public static int transactionType(int sysFlag) {
        return sysFlag & TRANSACTION_MASK;
    }

    /**
     * True if a message with this sysFlag gets a ConsumeQueue unit and a queue offset: normal and committed
     * messages do; prepared and rollback messages do not (they are stored with queue offset 0).
     */
    public static boolean isConsumable(int sysFlag) {
        int t = sysFlag & TRANSACTION_MASK;
        return t == TRANSACTION_NOT || t == TRANSACTION_COMMIT;
    }

    /** True if a message with this sysFlag is put in the IndexFile: everything except rollback messages. */
    public static boolean isIndexable(int sysFlag) {
        return (sysFlag & TRANSACTION_MASK) != TRANSACTION_ROLLBACK;
    }
}
