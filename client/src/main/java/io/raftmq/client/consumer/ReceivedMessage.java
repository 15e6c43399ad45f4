package io.raftmq.client.consumer;

import io.raftmq.client.protocol.body.MessageQueue;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;

/**
 * One message as a consumer receives it, decoded from a pull answer by {@link PulledMessageDecoder}: the stored
 * fields (docs/protocol.md §3.1), the body (inflated when it was sent compressed) and the properties. Immutable.
 * A message pulled from the group's retry topic carries its original topic again ({@code RETRY_TOPIC}), as the
 * official consumer shows it; {@link #queue()} still names the queue it was pulled from.
 */
public final class ReceivedMessage {
    private final MessageQueue queue;
    private final String topic;
    private final long queueOffset;
    private final long commitLogOffset;
    private final int sysFlag;
    private final int flag;
    private final long bornTimestampMs;
    private final long storeTimestampMs;
    private final String offsetMsgId;
    private final int reconsumeTimes;
    private final byte[] body;
    private final Map<String, String> properties;
    private final int storeSize;

    /**
     * Stored fields as decoded; {@code topic} is the original topic (see the class comment). {@code properties} is
     * taken over, not copied: the caller must not keep or change it.
     */
    ReceivedMessage(MessageQueue queue, String topic, long queueOffset, long commitLogOffset, int sysFlag, int flag,
                    long bornTimestampMs, long storeTimestampMs, String offsetMsgId, int reconsumeTimes, byte[] body,
                    Map<String, String> properties, int storeSize) {
        this.queue = queue;
        this.topic = topic;
        this.queueOffset = queueOffset;
        this.commitLogOffset = commitLogOffset;
        this.sysFlag = sysFlag;
        this.flag = flag;
        this.bornTimestampMs = bornTimestampMs;
        this.storeTimestampMs = storeTimestampMs;
        this.offsetMsgId = offsetMsgId;
        this.reconsumeTimes = reconsumeTimes;
        this.body = body;
        this.properties = Collections.unmodifiableMap(properties); // handed over: the decoder keeps no reference
        this.storeSize = storeSize;
    }

    /** The queue this message was pulled from (for a retried message: the retry topic's queue). */
    public MessageQueue queue() {
        return queue;
    }

    /** The message's topic (the original one for a message pulled from the retry topic). */
    public String topic() {
        return topic;
    }

    public long queueOffset() {
        return queueOffset;
    }

    /** Where the broker stored it (PHYSICALOFFSET); CONSUMER_SEND_MSG_BACK names the message by it. */
    public long commitLogOffset() {
        return commitLogOffset;
    }

    public int sysFlag() {
        return sysFlag;
    }

    public int flag() {
        return flag;
    }

    public long bornTimestampMs() {
        return bornTimestampMs;
    }

    public long storeTimestampMs() {
        return storeTimestampMs;
    }

    /** Times it was consumed and sent back before (0 for a first delivery). */
    public int reconsumeTimes() {
        return reconsumeTimes;
    }

    /** The body (the caller must not change it). */
    public byte[] body() {
        return body;
    }

    public String bodyString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Bytes of the stored record (what flow control counts). */
    public int storeSize() {
        return storeSize;
    }

    /** All properties (reserved ones included: docs/protocol.md §3.5). */
    public Map<String, String> properties() {
        return properties;
    }

    public String property(String name) {
        return properties.get(name);
    }

    /** The tag, or null. */
    public String tags() {
        return properties.get("TAGS");
    }

    /** The keys (space-separated), or null. */
    public String keys() {
        return properties.get("KEYS");
    }

    /** The producer's id ({@code UNIQ_KEY}), or the offset msgId when the message has none. */
    public String msgId() {
        String uniq = properties.get("UNIQ_KEY");
        return uniq != null ? uniq : offsetMsgId;
    }

    /** The broker's id: store host and commit-log offset in hex (docs/protocol.md §3.3). */
    public String offsetMsgId() {
        return offsetMsgId;
    }

    @Override
    public String toString() {
        return "ReceivedMessage[" + topic + " " + queue.brokerName() + ":" + queue.queueId() + "@" + queueOffset
                + " id=" + msgId() + " reconsume=" + reconsumeTimes + "]";
    }
}
