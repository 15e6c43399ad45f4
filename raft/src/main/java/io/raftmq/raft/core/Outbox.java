package io.raftmq.raft.core;

import io.raftmq.raft.message.AppendEntriesResponse;
import io.raftmq.raft.message.RaftMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * Messages produced since the last {@link Ready}, split by whether they may leave before this node's pending
 * writes are durable. Bounded by the work of one Ready cycle (one message per peer per step at most, plus
 * pipelined appends bounded by the inflight limit).
 */
final class Outbox {
    private final List<RaftMessage> early = new ArrayList<>();
    private final List<RaftMessage> afterPersist = new ArrayList<>();

    /** A message that promises nothing about this node's durable state. */
    void early(RaftMessage m) {
        early.add(m);
    }

    /** A message that must wait until this node's pending writes are durable. */
    void afterPersist(RaftMessage m) {
        afterPersist.add(m);
    }

    /**
     * Drops the acknowledgements (AppendEntriesResponse, not rejections) of index {@code >= from} not sent yet: a
     * truncation in the same Ready replaced the entries they claim, and an acknowledgement must be true when it
     * leaves (dropping is safe: the transport may lose any message). {@code Long.MAX_VALUE}: nothing replaced.
     */
    void dropAcknowledgementsFrom(long from) {
        if (from == Long.MAX_VALUE) {
            return;
        }
        early.removeIf(m -> m instanceof AppendEntriesResponse a && !a.reject() && a.index() >= from);
    }

    boolean isEmpty() {
        return early.isEmpty() && afterPersist.isEmpty();
    }

    List<RaftMessage> early() {
        return early;
    }

    List<RaftMessage> afterPersist() {
        return afterPersist;
    }

    void clear() {
        early.clear();
        afterPersist.clear();
    }
}
