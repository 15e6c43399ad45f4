package io.raftmq.broker.entry;

/**
 * Payloads of {@link EntryType#GROUP_PUT} (create or replace a subscription group) and
 * {@link EntryType#GROUP_DELETE} (optionally dropping the group's consumer offsets in the same entry). The config
 * part is a {@link SubscriptionGroupEntry}, the broker's own record: the remoting body of the same name is converted
 * at the manager, so a wire-protocol change cannot change these bytes.
 *
 * <pre>
 *  GROUP_PUT
 *  0       1                  9
 *  +-------+------------------+--------------------------------------------------------------+
 *  | ver=1 | timestampMs (i64)| config                                                       |
 *  +-------+------------------+--------------------------------------------------------------+
 *  config: groupName (str16) | flags (u8) | retryQueueNums (i32) | retryMaxTimes (i32)
 *          | groupRetryPolicyType (str16, nullable) | brokerId (i64) | whichBrokerWhenConsumeSlowly (i64)
 *          | groupSysFlag (i32) | consumeTimeoutMinute (i32)
 *          | attributes: count (u16), then count x (key str16, value str16) in key order
 *  flags:  bit0 consumeEnable, bit1 consumeFromMinEnable, bit2 consumeBroadcastEnable,
 *          bit3 consumeMessageOrderly, bit4 notifyConsumerIdsChangedEnable, bits 5-7 zero
 *
 *  GROUP_DELETE
 *  0       1                  9                   9+n
 *  +-------+------------------+-------------------+------------------+
 *  | ver=1 | timestampMs (i64)| groupName (str16) | cleanOffset (u8) |
 *  +-------+------------------+-------------------+------------------+
 *
 *  str16: length (u16, 0xFFFF = null) | UTF-8 bytes; u8 booleans are 0 or 1; all integers big-endian
 * </pre>
 */
public final class SubscriptionGroupCodec {
    public static final int VERSION_OFFSET = 0;
    public static final int TIMESTAMP_OFFSET = 1;
    public static final int BODY_OFFSET = 9;
    public static final int FLAG_CONSUME_ENABLE = 1;
    public static final int FLAG_CONSUME_FROM_MIN = 1 << 1;
    public static final int FLAG_CONSUME_BROADCAST = 1 << 2;
    public static final int FLAG_CONSUME_ORDERLY = 1 << 3;
    public static final int FLAG_NOTIFY_IDS_CHANGED = 1 << 4;
    private static final int FLAGS_KNOWN = (1 << 5) - 1;

    static {
        if (BODY_OFFSET != TIMESTAMP_OFFSET + 8) {
            throw new IllegalStateException("SubscriptionGroupCodec header size");
        }
    }

    /** A decoded GROUP_PUT. */
    public record Put(SubscriptionGroupEntry config, long timestampMs) {
    }

    /** A decoded GROUP_DELETE. */
    public record Delete(String group, boolean cleanOffset, long timestampMs) {
    }

    private SubscriptionGroupCodec() {
    }

    public static byte[] encodePut(SubscriptionGroupEntry c, long timestampMs) {
        PayloadWriter w = new PayloadWriter(80);
        w.u8(EntryType.FORMAT_VERSION).i64(timestampMs);
        writeConfig(w, c);
        return w.toByteArray();
    }

    /** @throws EntryFormatException if malformed */
    public static Put decodePut(byte[] payload) {
        PayloadReader r = new PayloadReader(payload, "GROUP_PUT entry");
        r.version(EntryType.FORMAT_VERSION);
        long ts = r.i64();
        SubscriptionGroupEntry c = readConfig(r);
        r.end();
        return new Put(c, ts);
    }

    public static byte[] encodeDelete(String group, boolean cleanOffset, long timestampMs) {
        return new PayloadWriter(32).u8(EntryType.FORMAT_VERSION).i64(timestampMs).str(group).bool(cleanOffset)
                .toByteArray();
    }

    /** @throws EntryFormatException if malformed */
    public static Delete decodeDelete(byte[] payload) {
        PayloadReader r = new PayloadReader(payload, "GROUP_DELETE entry");
        r.version(EntryType.FORMAT_VERSION);
        long ts = r.i64();
        String group = r.strNonNull("groupName");
        boolean clean = r.bool();
        r.end();
        return new Delete(group, clean, ts);
    }

    /** Writes the config part (also used by snapshots). */
    public static void writeConfig(PayloadWriter w, SubscriptionGroupEntry c) {
        int flags = (c.consumeEnable() ? FLAG_CONSUME_ENABLE : 0)
                | (c.consumeFromMinEnable() ? FLAG_CONSUME_FROM_MIN : 0)
                | (c.consumeBroadcastEnable() ? FLAG_CONSUME_BROADCAST : 0)
                | (c.consumeMessageOrderly() ? FLAG_CONSUME_ORDERLY : 0)
                | (c.notifyConsumerIdsChangedEnable() ? FLAG_NOTIFY_IDS_CHANGED : 0);
        w.str(c.groupName()).u8(flags).i32(c.retryQueueNums()).i32(c.retryMaxTimes()).str(c.groupRetryPolicyType())
                .i64(c.brokerId()).i64(c.whichBrokerWhenConsumeSlowly()).i32(c.groupSysFlag())
                .i32(c.consumeTimeoutMinute()).strMap(c.attributes());
    }

    /** Reads the config part. */
    public static SubscriptionGroupEntry readConfig(PayloadReader r) {
        String name = r.strNonNull("groupName");
        int flags = r.u8();
        if ((flags & ~FLAGS_KNOWN) != 0) {
            throw new EntryFormatException("subscription group " + name + ": unknown flag bits " + flags);
        }
        int retryQueueNums = r.i32();
        int retryMaxTimes = r.i32();
        String policy = r.str();
        long brokerId = r.i64();
        long slowly = r.i64();
        int sysFlag = r.i32();
        int timeoutMinute = r.i32();
        return new SubscriptionGroupEntry(name, (flags & FLAG_CONSUME_ENABLE) != 0,
                (flags & FLAG_CONSUME_FROM_MIN) != 0, (flags & FLAG_CONSUME_BROADCAST) != 0,
                (flags & FLAG_CONSUME_ORDERLY) != 0, retryQueueNums, retryMaxTimes, policy, brokerId, slowly,
                (flags & FLAG_NOTIFY_IDS_CHANGED) != 0, sysFlag, timeoutMinute, r.strMap());
    }
}
