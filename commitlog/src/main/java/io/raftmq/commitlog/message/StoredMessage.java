package io.raftmq.commitlog.message;

import io.raftmq.commitlog.error.Verify;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Flyweight over one RocketMQ stored message (docs/protocol.md §3.1), the unit of a pull body and of our message
 * records. {@link #wrap} validates the framing once and caches the variable offsets; getters then read absolutely, and
 * {@link #setQueueOffset}/{@link #setPhysicalOffset} patch the two fields the store stamps in place. Reuse one
 * instance per thread; it holds no copy of the bytes, so the caller must not change them while reading.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------------------------------------+
 * |  0 TOTALSIZE (whole record, incl. this field)                |
 * |  4 MAGICCODE  0xDAA320A7 V1 (topic len 1B) | 0xDAA320AB V2 (2B)|
 * |  8 BODYCRC    crc32(body) &amp; 0x7FFFFFFF                      |
 * | 12 QUEUEID                                                   |
 * | 16 FLAG                                                      |
 * | 20 QUEUEOFFSET (8)              stamped at append           |
 * | 28 PHYSICALOFFSET (8)           stamped at append           |
 * | 36 SYSFLAG                                                   |
 * | 40 BORNTIMESTAMP (8)                                         |
 * | 48 BORNHOST  ip 4|16 + port 4   (16 if sysFlag &amp; 0x10)     |
 * |  . STORETIMESTAMP (8)           (56 for an IPv4 born host)   |
 * |  . STOREHOST ip 4|16 + port 4   (16 if sysFlag &amp; 0x20)     |
 * |  . RECONSUMETIMES (4)                                        |
 * |  . PREPARED TRANSACTION OFFSET (8)                           |
 * |  . BODYLENGTH (4) + BODY                                     |
 * |  . TOPICLENGTH (1 V1 | 2 V2) + TOPIC (UTF-8)                 |
 * |  . PROPERTIESLENGTH (2, signed) + PROPERTIES (UTF-8)         |
 * +-------------------------------------------------------------+
 * </pre>
 * With IPv4 hosts and V1 magic the fixed part is 91 bytes: TOTALSIZE = 91 + body + topic + properties.
 */
public final class StoredMessage {
    /** Magic of a V1 message (1-byte topic length). */
    public static final int MAGIC_V1 = 0xDAA320A7;
    /** Magic of a V2 message (2-byte topic length), used when the topic is longer than 127 bytes. */
    public static final int MAGIC_V2 = 0xDAA320AB;
    /** Magic of RocketMQ's end-of-file filler; never valid as a message. */
    public static final int MAGIC_BLANK = 0xCBD43194;

    public static final int TOTAL_SIZE_OFFSET = 0;
    public static final int MAGIC_OFFSET = 4;
    public static final int BODY_CRC_OFFSET = 8;
    public static final int QUEUE_ID_OFFSET = 12;
    public static final int FLAG_OFFSET = 16;
    public static final int QUEUE_OFFSET_OFFSET = 20;
    public static final int PHYSICAL_OFFSET_OFFSET = 28;
    public static final int SYS_FLAG_OFFSET = 36;
    public static final int BORN_TIMESTAMP_OFFSET = 40;
    public static final int BORN_HOST_OFFSET = 48;
    /** Fixed bytes of a V1 message with IPv4 hosts (everything but body, topic and properties bytes). */
    public static final int FIXED_LENGTH_V1_IPV4 = 91;
    /** Largest properties string in bytes (its length field is a signed short). */
    public static final int PROPERTIES_LENGTH_MAX = Short.MAX_VALUE;
    /** Longest topic in bytes that still uses V1 magic. */
    public static final int TOPIC_LENGTH_V1_MAX = 127;
    /** Longest topic in bytes (V2 length field is a signed short). */
    public static final int TOPIC_LENGTH_MAX = Short.MAX_VALUE;

    static {
        Verify.state(BORN_HOST_OFFSET == BORN_TIMESTAMP_OFFSET + 8, "born host follows born timestamp");
        Verify.state(FIXED_LENGTH_V1_IPV4 == BORN_HOST_OFFSET + 8 + 8 + 8 + 4 + 8 + 4 + 1 + 2,
                "V1/IPv4 fixed length", FIXED_LENGTH_V1_IPV4, BORN_HOST_OFFSET + 43);
    }

    private ByteBuffer buffer;
    private int base;
    private int totalSize;
    private int sysFlag;
    private int storeTimestampOffset;
    private int storeHostOffset;
    private int reconsumeTimesOffset;
    private int bodyOffset;
    private int bodyLength;
    private int topicOffset;
    private int topicLength;
    private int propertiesOffset;
    private int propertiesLength;

    /** Fixed bytes of a message with the given magic and host bits (everything but body, topic, properties). */
    public static int fixedLength(boolean v2Magic, int sysFlag) {
        int length = FIXED_LENGTH_V1_IPV4 + (v2Magic ? 1 : 0);
        length += (sysFlag & SysFlag.BORNHOST_V6) != 0 ? 12 : 0;
        length += (sysFlag & SysFlag.STOREHOST_V6) != 0 ? 12 : 0;
        return length;
    }

    /** Reads TOTALSIZE at {@code offset} without validating anything (for skipping). */
    public static int totalSizeAt(ByteBuffer buffer, int offset) {
        return buffer.getInt(offset + TOTAL_SIZE_OFFSET);
    }

    /**
     * Points this flyweight at the message starting at absolute {@code offset} of {@code buffer} (big-endian),
     * reading at most up to {@code limit}, and validates its framing: magic V1/V2, every length inside the
     * record, the fields ending exactly at TOTALSIZE. Does not check BODYCRC (see {@link #bodyCrcMatches}).
     *
     * @return this
     * @throws MessageFormatException if the bytes are not a whole, well-framed message
     */
    public StoredMessage wrap(ByteBuffer buffer, int offset, int limit) {
        Verify.argument(buffer.order() == ByteOrder.BIG_ENDIAN, "stored messages are big-endian");
        this.buffer = buffer;
        this.base = offset;
        int available = limit - offset;
        if (available < FIXED_LENGTH_V1_IPV4) {
            throw new MessageFormatException("stored message truncated: " + available + " bytes at " + offset);
        }
        totalSize = buffer.getInt(offset + TOTAL_SIZE_OFFSET);
        if (totalSize < FIXED_LENGTH_V1_IPV4 || totalSize > available) {
            throw new MessageFormatException("bad TOTALSIZE " + totalSize + " with " + available + " available");
        }
        int magic = buffer.getInt(offset + MAGIC_OFFSET);
        if (magic != MAGIC_V1 && magic != MAGIC_V2) {
            throw new MessageFormatException("bad MAGICCODE 0x" + Integer.toHexString(magic) + " at " + offset);
        }
        sysFlag = buffer.getInt(offset + SYS_FLAG_OFFSET);
        parseVariableFields(magic == MAGIC_V2);
        return this;
    }

    /** As {@link #wrap(ByteBuffer, int, int)} with the buffer's limit as the bound. */
    public StoredMessage wrap(ByteBuffer buffer, int offset) {
        return wrap(buffer, offset, buffer.limit());
    }

    /**
     * Offset of STORETIMESTAMP in a message with {@code sysFlag}: it follows the born host, whose length depends on
     * the flag. For readers that hold only a message's head.
     */
    public static int storeTimestampOffset(int sysFlag) {
        return BORN_HOST_OFFSET + ((sysFlag & SysFlag.BORNHOST_V6) != 0 ? 20 : 8);
    }

    /**
     * Offset of RECONSUMETIMES in a message with {@code sysFlag}: after the store timestamp and the store host, whose
     * length depends on the flag. For writers that patch a copy of a message in place (a pop's redelivery).
     */
    public static int reconsumeTimesOffset(int sysFlag) {
        return storeTimestampOffset(sysFlag) + 8 + ((sysFlag & SysFlag.STOREHOST_V6) != 0 ? 20 : 8);
    }

    private void parseVariableFields(boolean v2) {
        int end = base + totalSize;
        storeTimestampOffset = storeTimestampOffset(sysFlag);
        storeHostOffset = storeTimestampOffset + 8;
        reconsumeTimesOffset = reconsumeTimesOffset(sysFlag);
        int bodyLengthOffset = reconsumeTimesOffset + 4 + 8;
        if (base + fixedLength(v2, sysFlag) > end) {
            throw new MessageFormatException("TOTALSIZE " + totalSize + " below the fixed part");
        }
        bodyLength = buffer.getInt(base + bodyLengthOffset);
        bodyOffset = bodyLengthOffset + 4;
        int topicLengthOffset = bodyOffset + bodyLength;
        if (bodyLength < 0 || base + topicLengthOffset + (v2 ? 2 : 1) > end) {
            throw new MessageFormatException("BODYLENGTH " + bodyLength + " overruns the record");
        }
        topicLength = v2 ? buffer.getShort(base + topicLengthOffset) : buffer.get(base + topicLengthOffset) & 0xFF;
        topicOffset = topicLengthOffset + (v2 ? 2 : 1);
        int propertiesLengthOffset = topicOffset + topicLength;
        if (topicLength <= 0 || base + propertiesLengthOffset + 2 > end) {
            throw new MessageFormatException("TOPICLENGTH " + topicLength + " overruns the record");
        }
        propertiesLength = buffer.getShort(base + propertiesLengthOffset);
        propertiesOffset = propertiesLengthOffset + 2;
        if (propertiesLength < 0 || propertiesOffset + propertiesLength != totalSize) {
            throw new MessageFormatException("PROPERTIESLENGTH " + propertiesLength + " disagrees with TOTALSIZE "
                    + totalSize);
        }
    }

    /** Absolute offset of this message in its buffer. */
    public int offset() {
        return base;
    }

    public int totalSize() {
        return totalSize;
    }

    public int magic() {
        return buffer.getInt(base + MAGIC_OFFSET);
    }

    public int bodyCrc() {
        return buffer.getInt(base + BODY_CRC_OFFSET);
    }

    public int queueId() {
        return buffer.getInt(base + QUEUE_ID_OFFSET);
    }

    public int flag() {
        return buffer.getInt(base + FLAG_OFFSET);
    }

    public long queueOffset() {
        return buffer.getLong(base + QUEUE_OFFSET_OFFSET);
    }

    public long physicalOffset() {
        return buffer.getLong(base + PHYSICAL_OFFSET_OFFSET);
    }

    public int sysFlag() {
        return sysFlag;
    }

    public long bornTimestamp() {
        return buffer.getLong(base + BORN_TIMESTAMP_OFFSET);
    }

    public long storeTimestamp() {
        return buffer.getLong(base + storeTimestampOffset);
    }

    public int reconsumeTimes() {
        return buffer.getInt(base + reconsumeTimesOffset);
    }

    public long preparedTransactionOffset() {
        return buffer.getLong(base + reconsumeTimesOffset + 4);
    }

    /** The born host (allocates; control plane or tests). */
    public HostAddress bornHost() {
        return readHost(BORN_HOST_OFFSET, (sysFlag & SysFlag.BORNHOST_V6) != 0);
    }

    /** The store host (allocates; used to derive the offset msgId). */
    public HostAddress storeHost() {
        return readHost(storeHostOffset, (sysFlag & SysFlag.STOREHOST_V6) != 0);
    }

    /** Absolute offset of the body bytes in the wrapped buffer. */
    public int bodyOffset() {
        return base + bodyOffset;
    }

    public int bodyLength() {
        return bodyLength;
    }

    /** Absolute offset of the topic bytes (UTF-8) in the wrapped buffer. */
    public int topicOffset() {
        return base + topicOffset;
    }

    public int topicLength() {
        return topicLength;
    }

    /** Absolute offset of the properties bytes (UTF-8) in the wrapped buffer. */
    public int propertiesOffset() {
        return base + propertiesOffset;
    }

    public int propertiesLength() {
        return propertiesLength;
    }

    /** The topic (allocates a String). */
    public String topic() {
        return utf8(base + topicOffset, topicLength);
    }

    /** The raw properties string (allocates a String); decode with {@link MessageProperties}. */
    public String properties() {
        return utf8(base + propertiesOffset, propertiesLength);
    }

    /** A copy of the body bytes. */
    public byte[] body() {
        byte[] out = new byte[bodyLength];
        buffer.get(base + bodyOffset, out);
        return out;
    }

    /** True if BODYCRC equals the RocketMQ CRC32 of the stored body. */
    public boolean bodyCrcMatches(RocketCrc32 crc) {
        return crc.compute(buffer, base + bodyOffset, bodyLength) == bodyCrc();
    }

    /** Stamps QUEUEOFFSET in place (the store's append hook; BODYCRC does not cover it). */
    public void setQueueOffset(long queueOffset) {
        buffer.putLong(base + QUEUE_OFFSET_OFFSET, queueOffset);
    }

    /** Stamps PHYSICALOFFSET in place: the message's own absolute position in the CommitLog. */
    public void setPhysicalOffset(long physicalOffset) {
        buffer.putLong(base + PHYSICAL_OFFSET_OFFSET, physicalOffset);
    }

    private HostAddress readHost(int fieldOffset, boolean v6) {
        byte[] ip = new byte[v6 ? 16 : 4];
        buffer.get(base + fieldOffset, ip);
        return HostAddress.of(ip, buffer.getInt(base + fieldOffset + ip.length));
    }

    private String utf8(int offset, int length) {
        if (buffer.hasArray()) {
            return new String(buffer.array(), buffer.arrayOffset() + offset, length, StandardCharsets.UTF_8);
        }
        byte[] bytes = new byte[length];
        buffer.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
