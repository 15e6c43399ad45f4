package io.raftmq.client.producer;

import io.raftmq.client.protocol.body.MessageQueue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the queue of a send from the topic's writable queues (in route order). A send with a selector goes to that
 * queue on every attempt (a retry after a leader change goes to the same queue of the new leader, which keeps a
 * key's messages in order); a send without one goes round robin and a retry prefers another broker group.
 */
@FunctionalInterface
public interface MessageQueueSelector {
    /** The queue for {@code msg}; {@code queues} is never empty. */
    MessageQueue select(List<MessageQueue> queues, Message msg, Object arg);

    /** Round robin over the queues (its own counter). */
    static MessageQueueSelector roundRobin() {
        AtomicInteger next = new AtomicInteger();
        return (queues, msg, arg) -> queues.get(Math.floorMod(next.getAndIncrement(), queues.size()));
    }

    /**
     * The queue {@code hash(key) mod n}, the key being {@code arg} (its {@code hashCode}) or, if arg is null, the
     * message's keys: every message of one key goes to one queue, in order, while the queue count stays the same.
     */
    static MessageQueueSelector byKeyHash() {
        return (queues, msg, arg) -> {
            Object key = arg != null ? arg : msg.keys();
            int h = key == null ? 0 : key.hashCode();
            return queues.get(Math.floorMod(h, queues.size()));
        };
    }
}
