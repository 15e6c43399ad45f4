package io.raftmq.commitlog.message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The parts of a message the broker knows before appending it, from which {@link StoredMessageEncoder} builds
 * the stored bytes. Mutable and reusable (one per thread); setters return this. Topic and properties are held
 * as UTF-8 bytes so a broker can cache the encoded topic. QUEUEOFFSET and PHYSICALOFFSET are not here: the
 * store stamps them at append time, the encoder writes 0.
 *
 * <p>Invariant after {@link #validate()}: topic 1..32767 bytes, properties at most 32767 bytes, body and both
 * hosts set.
 */
public final class MessageDraft {
    private byte[] topic;
    private int queueId;
    private int flag;
    private ByteBuffer body;
    private byte[] properties = new byte[0];
    private int sysFlag;
    private long bornTimestamp;
    private HostAddress bornHost;
    private long storeTimestamp;
    private HostAddress storeHost;
    private int reconsumeTimes;
    private long preparedTransactionOffset;

    /** Topic as UTF-8 bytes (not copied: the caller must not change them until encoded). */
    public MessageDraft topic(byte[] utf8) {
        this.topic = utf8;
        return this;
    }

    /** Topic as a String (encodes to UTF-8, allocating). */
    public MessageDraft topic(String topic) {
        return topic(topic.getBytes(StandardCharsets.UTF_8));
    }

    public MessageDraft queueId(int queueId) {
        this.queueId = queueId;
        return this;
    }

    public MessageDraft flag(int flag) {
        this.flag = flag;
        return this;
    }

    /** Body = {@code body[position, limit)}; read without moving its position, not copied until encoded. */
    public MessageDraft body(ByteBuffer body) {
        this.body = body;
        return this;
    }

    public MessageDraft body(byte[] body) {
        return body(ByteBuffer.wrap(body));
    }

    /** Properties string as UTF-8 bytes (not copied). */
    public MessageDraft properties(byte[] utf8) {
        this.properties = utf8;
        return this;
    }

    /** Properties string (encodes to UTF-8, allocating); null means none. */
    public MessageDraft properties(String properties) {
        return properties(properties == null ? new byte[0] : properties.getBytes(StandardCharsets.UTF_8));
    }

    /** sysFlag as sent; the encoder overrides the two host-V6 bits from the host address types. */
    public MessageDraft sysFlag(int sysFlag) {
        this.sysFlag = sysFlag;
        return this;
    }

    public MessageDraft bornTimestamp(long bornTimestampMs) {
        this.bornTimestamp = bornTimestampMs;
        return this;
    }

    public MessageDraft bornHost(HostAddress bornHost) {
        this.bornHost = bornHost;
        return this;
    }

    public MessageDraft storeTimestamp(long storeTimestampMs) {
        this.storeTimestamp = storeTimestampMs;
        return this;
    }

    public MessageDraft storeHost(HostAddress storeHost) {
        this.storeHost = storeHost;
        return this;
    }

    public MessageDraft reconsumeTimes(int reconsumeTimes) {
        this.reconsumeTimes = reconsumeTimes;
        return this;
    }

    public MessageDraft preparedTransactionOffset(long preparedTransactionOffset) {
        this.preparedTransactionOffset = preparedTransactionOffset;
        return this;
    }

    /** sysFlag with the host-V6 bits set from the host addresses. */
    public int effectiveSysFlag() {
        int flags = sysFlag & ~(SysFlag.BORNHOST_V6 | SysFlag.STOREHOST_V6);
        flags |= bornHost != null && bornHost.isV6() ? SysFlag.BORNHOST_V6 : 0;
        flags |= storeHost != null && storeHost.isV6() ? SysFlag.STOREHOST_V6 : 0;
        return flags;
    }

    /** True if the topic needs V2 magic (longer than 127 bytes). */
    public boolean needsV2Magic() {
        return topic.length > StoredMessage.TOPIC_LENGTH_V1_MAX;
    }

    /**
     * Checks the draft can be encoded.
     *
     * @throws MessageFormatException if the topic is empty or too long, properties exceed 32767 bytes, or a
     *                                part is missing (a send request that the broker answers MESSAGE_ILLEGAL)
     */
    public void validate() {
        if (topic == null || topic.length == 0 || topic.length > StoredMessage.TOPIC_LENGTH_MAX) {
            throw new MessageFormatException("topic must have 1.." + StoredMessage.TOPIC_LENGTH_MAX + " bytes");
        }
        if (properties.length > StoredMessage.PROPERTIES_LENGTH_MAX) {
            throw new MessageFormatException("properties exceed " + StoredMessage.PROPERTIES_LENGTH_MAX
                    + " bytes: " + properties.length);
        }
        if (body == null || bornHost == null || storeHost == null) {
            throw new MessageFormatException("body, born host and store host are required");
        }
    }

    byte[] topicBytes() {
        return topic;
    }

    int queueIdValue() {
        return queueId;
    }

    int flagValue() {
        return flag;
    }

    ByteBuffer bodyBuffer() {
        return body;
    }

    byte[] propertiesBytes() {
        return properties;
    }

    long bornTimestampValue() {
        return bornTimestamp;
    }

    HostAddress bornHostValue() {
        return bornHost;
    }

    long storeTimestampValue() {
        return storeTimestamp;
    }

    HostAddress storeHostValue() {
        return storeHost;
    }

    int reconsumeTimesValue() {
        return reconsumeTimes;
    }

    long preparedTransactionOffsetValue() {
        return preparedTransactionOffset;
    }
}
