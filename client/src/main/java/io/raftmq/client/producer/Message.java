package io.raftmq.client.producer;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message to send: topic, body, optional tags, keys (business keys, indexed by the broker; they let consumers
 * deduplicate the redeliveries an at-least-once retry may cause), user properties, a delay level or an absolute
 * delivery time, and the user flag. Checked when sent (sizes, names: {@link MessageCodec}). Not thread-safe; do not
 * change a message while a send of it is under way.
 */
public final class Message {
    private final String topic;
    private final byte[] body;
    private String tags;
    private String keys;
    private int delayTimeLevel;
    private long deliverTimeMs;
    private int flag;
    /** Null until the first user property (most messages have none: no map per send). */
    private Map<String, String> userProperties;

    public Message(String topic, byte[] body) {
        if (topic == null || body == null) {
            throw new IllegalArgumentException("a message needs a topic and a body");
        }
        this.topic = topic;
        this.body = body;
    }

    public Message(String topic, String tags, byte[] body) {
        this(topic, body);
        this.tags = tags;
    }

    /** A message with a UTF-8 body. */
    public static Message of(String topic, String body) {
        return new Message(topic, body.getBytes(StandardCharsets.UTF_8));
    }

    public String topic() {
        return topic;
    }

    /** The body as given (not copied). */
    public byte[] body() {
        return body;
    }

    public String tags() {
        return tags;
    }

    public Message tags(String tags) {
        this.tags = tags;
        return this;
    }

    /** The keys, space-separated, or null. */
    public String keys() {
        return keys;
    }

    /** One key, or several separated by spaces. */
    public Message keys(String keys) {
        this.keys = keys;
        return this;
    }

    public Message keys(Collection<String> keys) {
        this.keys = String.join(" ", keys);
        return this;
    }

    public int delayTimeLevel() {
        return delayTimeLevel;
    }

    /** Delay level 1..18 (1 s .. 2 h: docs/protocol.md §5.7); 0 = none. */
    public Message delayTimeLevel(int level) {
        this.delayTimeLevel = level;
        return this;
    }

    public long deliverTimeMs() {
        return deliverTimeMs;
    }

    /** Absolute delivery time (epoch ms) of a timer message, at most 3 days ahead; 0 = none. */
    public Message deliverTimeMs(long epochMs) {
        this.deliverTimeMs = epochMs;
        return this;
    }

    public int flag() {
        return flag;
    }

    public Message flag(int flag) {
        this.flag = flag;
        return this;
    }

    /** Adds a user property (names reserved by the protocol are refused when the message is sent). */
    public Message property(String name, String value) {
        if (userProperties == null) {
            userProperties = new LinkedHashMap<>();
        }
        userProperties.put(name, value);
        return this;
    }

    /** User properties in insertion order (read-only view; empty if none). */
    public Map<String, String> userProperties() {
        return userProperties == null ? Map.of() : Collections.unmodifiableMap(userProperties);
    }

    @Override
    public String toString() {
        return "Message{topic=" + topic + ", tags=" + tags + ", keys=" + keys + ", bodyLength=" + body.length + '}';
    }
}
