package io.raftmq.broker.processor.send;

import io.raftmq.client.protocol.header.SendMessageRequestHeader;

/**
 * One rule that decides where a single sent message is stored ({@link Placement}). The send processor runs its
 * routes in order on every single-message send (after the topic and size checks), each seeing the placement the
 * previous ones chose; batch sends are never routed (a batch may not carry a delay, a timer or a transaction flag).
 * Order: transaction (a half message goes to the half topic and is not routed further), then retry/dead-letter,
 * then delay level and timer (which park the message until it is due).
 *
 * <p>Threads: any Netty I/O thread, concurrently: implementations are stateless or thread-safe and never block.
 */
@FunctionalInterface
public interface SendRoute {
    /**
     * @param h       the send's request header (the producer's topic, queue, properties, flags and counters)
     * @param current the placement so far
     * @return the placement to use, {@code current} when this rule does not apply
     * @throws SendRejectedException the message breaks this rule (e.g. 13 with a remark for a malformed timer)
     */
    Placement route(SendMessageRequestHeader h, Placement current) throws SendRejectedException;
}
