package io.raftmq.client.admin;

import io.raftmq.client.protocol.body.MessageQueue;

import java.util.List;

/**
 * A consumer group's progress (GET_CONSUME_STATS 208 from every broker group, docs/protocol.md §2.11): per queue and
 * in total. The lag of a queue is the messages stored past the group's committed offset.
 *
 * @param group  the consumer group
 * @param queues every queue the group has an offset for (or of the topic asked for), sorted
 */
public record ConsumerProgress(String group, List<Queue> queues) {
    public ConsumerProgress {
        queues = List.copyOf(queues);
    }

    /**
     * One queue.
     *
     * @param queue          topic, broker group, queue id
     * @param brokerOffset   the next offset the broker will write (messages stored so far)
     * @param consumerOffset the group's committed offset (0 if none)
     * @param lastTimestamp  store time of the last consumed message (0 if unknown)
     */
    public record Queue(MessageQueue queue, long brokerOffset, long consumerOffset, long lastTimestamp) {
        /** Messages stored but not consumed (committed) yet. */
        public long lag() {
            return Math.max(0, brokerOffset - consumerOffset);
        }
    }

    /** The lag summed over the queues. */
    public long totalLag() {
        long n = 0;
        for (Queue q : queues) {
            n += q.lag();
        }
        return n;
    }

    /** The broker offsets summed over the queues (messages stored in them). */
    public long totalBrokerOffset() {
        long n = 0;
        for (Queue q : queues) {
            n += q.brokerOffset;
        }
        return n;
    }

    /** The committed offsets summed over the queues. */
    public long totalConsumerOffset() {
        long n = 0;
        for (Queue q : queues) {
            n += q.consumerOffset;
        }
        return n;
    }

    /** The queues of {@code topic}. */
    public List<Queue> of(String topic) {
        return queues.stream().filter(q -> q.queue.topic().equals(topic)).toList();
    }
}
