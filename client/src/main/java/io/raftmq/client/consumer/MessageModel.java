package io.raftmq.client.consumer;

/**
 * How a group consumes (docs/protocol.md §4.4): {@link #CLUSTERING}, each message once per group (the queues are
 * divided among the group's consumers, offsets kept by the broker), or {@link #BROADCASTING}, each message once per
 * consumer (every consumer takes every queue, offsets kept in a local file).
 */
public enum MessageModel {
    CLUSTERING, BROADCASTING
}
