package io.raftmq.raft.transport;

/**
 * Monotonic counters of a {@link Transport}, for metrics and tests.
 *
 * @param sent            messages written to a connection
 * @param received        messages decoded and handed to the sink
 * @param droppedOutbound messages dropped before sending (queue full, no connection, channel not writable)
 * @param droppedInbound  messages the sink refused (inbox full) or not addressed to this node
 * @param connects        outgoing connections established
 * @param errors          connection and decoding errors
 */
public record TransportStats(long sent, long received, long droppedOutbound, long droppedInbound, long connects,
                             long errors) {
}
