package io.raftmq.raft.transport;

import io.raftmq.raft.message.RaftMessage;

/**
 * Port: carries {@link RaftMessage}s between the members of one Raft group. Unordered and lossy by contract:
 * a message may be dropped (queue full, peer down, connection reset), duplicated by a reconnect race, delayed or
 * reordered; the core tolerates all of it, so the transport never retries, never blocks the sender and never
 * reports delivery. What it promises: a delivered message is intact (framing and decoding are checked), and it is
 * handed to the {@link InboundSink} given to {@link #start} only when it is addressed to this node.
 *
 * <p>Sending is two-phase so that many messages share one system call: {@link #send} queues (bounded per peer;
 * when full the message is dropped and counted), {@link #flush} hands everything queued to the I/O threads, which
 * write the batch and flush the socket once.
 *
 * <p>Threading: {@link #send} and {@link #flush} are called by one thread (the raft agent); the sink is called on
 * the transport's I/O threads and must only enqueue. Errors: none are thrown to the sender; failures are counted
 * in {@link #stats()} and logged. {@link #start} throws {@link TransportException} when the node cannot listen.
 */
public interface Transport extends AutoCloseable {
    /** Starts listening and connecting; inbound messages go to {@code sink}. Called once. */
    void start(InboundSink sink);

    /** Queues {@code message} for {@code message.to()}; never blocks; drops (and counts) when that queue is full. */
    void send(RaftMessage message);

    /** Hands all queued messages to the I/O threads; each peer's batch is written and flushed once. */
    void flush();

    /**
     * Starts dialling peer {@code peerId} at {@code hostPort} ("host:port"), a member that joined the group.
     * Returns false when the peer is known already. Control plane; the default (a transport whose peers are fixed)
     * ignores it.
     */
    default boolean addPeer(long peerId, String hostPort) {
        return false;
    }

    /** Closes the connection to {@code peerId}, a member that left; false when unknown. Control plane. */
    default boolean removePeer(long peerId) {
        return false;
    }

    /** Counters since start (monotonic). */
    TransportStats stats();

    /** Closes every connection and the listener; queued messages are dropped. Idempotent. */
    @Override
    void close();

    /** Receiver of inbound messages; called on I/O threads, must not block (enqueue and return). */
    @FunctionalInterface
    interface InboundSink {
        /** A message addressed to this node. Returns false when it was dropped (inbox full). */
        boolean deliver(RaftMessage message);

        /**
         * Nothing listens at {@code peerId}'s address any more (its port refused a connection: the process is
         * gone, not merely slow or cut off). A hint for failure detection only; may repeat; must not block. The
         * default ignores it.
         */
        default void peerUnreachable(long peerId) {
        }
    }
}
