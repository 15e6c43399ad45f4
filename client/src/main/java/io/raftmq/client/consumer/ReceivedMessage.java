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
 *
 * <p>Properties are kept as the stored string and split into a map only when {@link #properties()} is first called;
 * a single property ({@link #property}, {@link #tags()}, {@link #keys()}, {@link #msgId()}) is found by scanning the
 * string, so a listener that reads none costs no map (docs/sdk.md "Performance").
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
    /** The stored properties string (docs/protocol.md §3.4), or null when built from a map. */
    private final String rawProperties;
    /** The properties as a map: set by the map constructor, else on the first {@link #properties()} call. */
    private volatile Map<String, String> properties;
    private final int storeSize;

    /**
     * Stored fields as decoded; {@code topic} is the original topic (see the class comment). {@code properties} is
     * taken over, not copied: the caller must not keep or change it.
     */
    ReceivedMessage(MessageQueue queue, String topic, long queueOffset, long commitLogOffset, int sysFlag, int flag,
                    long bornTimestampMs, long storeTimestampMs, String offsetMsgId, int reconsumeTimes, byte[] body,
                    Map<String, String> properties, int storeSize) {
        this(queue, topic, queueOffset, commitLogOffset, sysFlag, flag, bornTimestampMs, storeTimestampMs, offsetMsgId,
                reconsumeTimes, body, null, Collections.unmodifiableMap(properties), storeSize);
    }

    /** As decoded: the properties as their stored string, split only on demand. */
    ReceivedMessage(MessageQueue queue, String topic, long queueOffset, long commitLogOffset, int sysFlag, int flag,
                    long bornTimestampMs, long storeTimestampMs, String offsetMsgId, int reconsumeTimes, byte[] body,
                    String rawProperties, int storeSize) {
        this(queue, topic, queueOffset, commitLogOffset, sysFlag, flag, bornTimestampMs, storeTimestampMs, offsetMsgId,
                reconsumeTimes, body, rawProperties, null, storeSize);
    }

    private ReceivedMessage(MessageQueue queue, String topic, long queueOffset, long commitLogOffset, int sysFlag,
                            int flag, long bornTimestampMs, long storeTimestampMs, String offsetMsgId,
                            int reconsumeTimes, byte[] body, String rawProperties, Map<String, String> properties,
                            int storeSize) {
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
        this.rawProperties = rawProperties;
        this.properties = properties;
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
        Map<String, String> m = properties;
        if (m == null) {
            m = Collections.unmodifiableMap(PulledMessageDecoder.parseProperties(rawProperties));
            properties = m; // racing first calls build equal maps; either may stay
        }
        return m;
    }

    /** One property's value, or null. */
    public String property(String name) {
        Map<String, String> m = properties;
        return m != null ? m.get(name) : PulledMessageDecoder.findProperty(rawProperties, name);
    }

    /** The tag, or null. */
    public String tags() {
        return property("TAGS");
    }

    /** The keys (space-separated), or null. */
    public String keys() {
        return property("KEYS");
    }

    /** The producer's id ({@code UNIQ_KEY}), or the offset msgId when the message has none. */
    public String msgId() {
        String uniq = property("UNIQ_KEY");
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
