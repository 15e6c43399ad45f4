package io.raftmq.broker.processor.send;

/**
 * Where and how one sent message is stored: the topic and queue it is appended to, its stored properties (encoded
 * as in docs/protocol.md §3.1, the broker's own additions not yet made) and its SYSFLAG. A send starts with the
 * placement the producer asked for; each {@link SendRoute} may move it (a half message to the transaction half
 * topic, a delayed message to its schedule queue, a retry to the dead-letter queue).
 *
 * @param topic      topic of the stored message
 * @param queueId    queue of the stored message
 * @param properties the stored properties (never null; may be empty)
 * @param sysFlag    the stored SYSFLAG
 */
public record Placement(String topic, int queueId, String properties, int sysFlag) {
    public Placement {
        if (topic == null || properties == null) {
            throw new IllegalArgumentException("topic and properties are required");
        }
    }

    /** This placement moved to {@code newTopic}/{@code newQueueId} with {@code newProperties}. */
    public Placement movedTo(String newTopic, int newQueueId, String newProperties) {
        return new Placement(newTopic, newQueueId, newProperties, sysFlag);
    }

    /** This placement with another SYSFLAG. */
    public Placement withSysFlag(int newSysFlag) {
        return new Placement(topic, queueId, properties, newSysFlag);
    }
}
