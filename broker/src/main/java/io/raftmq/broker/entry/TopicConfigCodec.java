package io.raftmq.broker.entry;

/**
 * Payloads of {@link EntryType#TOPIC_PUT} (create or replace a topic's config) and {@link EntryType#TOPIC_DELETE}.
 * {@code timestampMs} is the proposer's clock; appliers use it for the table's DataVersion so that every replica
 * computes the same version. The config part is a {@link TopicConfigEntry}, the broker's own record: the remoting
 * body of the same name is converted at the manager, so a wire-protocol change cannot change these bytes.
 *
 * <pre>
 *  TOPIC_PUT
 *  0       1                  9
 *  +-------+------------------+--------------------------------------------------------------+
 *  | ver=1 | timestampMs (i64)| config                                                       |
 *  +-------+------------------+--------------------------------------------------------------+
 *  config: topicName (str16) | readQueueNums (i32) | writeQueueNums (i32) | perm (i32)
 *          | topicFilterType (str16, nullable) | topicSysFlag (i32) | order (u8 0/1)
 *          | attributes: count (u16), then count x (key str16, value str16) in key order
 *
 *  TOPIC_DELETE
 *  0       1                  9
 *  +-------+------------------+-------------------+
 *  | ver=1 | timestampMs (i64)| topicName (str16) |
 *  +-------+------------------+-------------------+
 *
 *  str16: length (u16, 0xFFFF = null) | UTF-8 bytes; u8 booleans are 0 or 1; all integers big-endian
 * </pre>
 */
public final class TopicConfigCodec {
    public static final int VERSION_OFFSET = 0;
    public static final int TIMESTAMP_OFFSET = 1;
    public static final int BODY_OFFSET = 9;

    static {
        if (BODY_OFFSET != TIMESTAMP_OFFSET + 8) {
            throw new IllegalStateException("TopicConfigCodec header size");
        }
    }

    /** A decoded TOPIC_PUT. */
    public record Put(TopicConfigEntry config, long timestampMs) {
    }

    /** A decoded TOPIC_DELETE. */
    public record Delete(String topic, long timestampMs) {
    }

    private TopicConfigCodec() {
    }

    public static byte[] encodePut(TopicConfigEntry c, long timestampMs) {
        PayloadWriter w = new PayloadWriter(64);
        w.u8(EntryType.FORMAT_VERSION).i64(timestampMs);
        writeConfig(w, c);
        return w.toByteArray();
    }

    /** @throws EntryFormatException if malformed */
    public static Put decodePut(byte[] payload) {
        PayloadReader r = new PayloadReader(payload, "TOPIC_PUT entry");
        r.version(EntryType.FORMAT_VERSION);
        long ts = r.i64();
        TopicConfigEntry c = readConfig(r);
        r.end();
        return new Put(c, ts);
    }

    public static byte[] encodeDelete(String topic, long timestampMs) {
        return new PayloadWriter(32).u8(EntryType.FORMAT_VERSION).i64(timestampMs).str(topic).toByteArray();
    }

    /** @throws EntryFormatException if malformed */
    public static Delete decodeDelete(byte[] payload) {
        PayloadReader r = new PayloadReader(payload, "TOPIC_DELETE entry");
        r.version(EntryType.FORMAT_VERSION);
        long ts = r.i64();
        String topic = r.strNonNull("topicName");
        r.end();
        return new Delete(topic, ts);
    }

    /** Writes the config part (also used by snapshots). */
    public static void writeConfig(PayloadWriter w, TopicConfigEntry c) {
        w.str(c.topicName()).i32(c.readQueueNums()).i32(c.writeQueueNums()).i32(c.perm()).str(c.topicFilterType())
                .i32(c.topicSysFlag()).bool(c.order()).strMap(c.attributes());
    }

    /** Reads the config part. */
    public static TopicConfigEntry readConfig(PayloadReader r) {
        String name = r.strNonNull("topicName");
        int read = r.i32();
        int write = r.i32();
        int perm = r.i32();
        String filter = r.str();
        int sysFlag = r.i32();
        boolean order = r.bool();
        return new TopicConfigEntry(name, read, write, perm, filter, sysFlag, order, r.strMap());
    }
}
