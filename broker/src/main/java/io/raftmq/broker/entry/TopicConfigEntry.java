package io.raftmq.broker.entry;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A topic's configuration as the Raft log and the metadata snapshots record it (the {@code config} part of
 * {@link TopicConfigCodec}'s TOPIC_PUT). The broker owns this type, not the wire protocol: a change of the remoting
 * body {@code TopicConfig} must not change what is replicated, so the managers convert between the two and only
 * this record reaches the codec. perm bits: 8 PRIORITY, 4 READ, 2 WRITE, 1 INHERIT.
 *
 * @param topicName       the topic (never null)
 * @param topicFilterType {@code SINGLE_TAG} or {@code MULTI_TAG}; may be null
 * @param attributes      a sorted immutable copy; empty rather than null
 */
public record TopicConfigEntry(String topicName, int readQueueNums, int writeQueueNums, int perm,
                               String topicFilterType, int topicSysFlag, boolean order,
                               Map<String, String> attributes) {
    public TopicConfigEntry {
        if (topicName == null) {
            throw new IllegalArgumentException("topicName must not be null");
        }
        attributes = Collections.unmodifiableSortedMap(attributes == null ? new TreeMap<>()
                : new TreeMap<>(attributes));
    }

}
