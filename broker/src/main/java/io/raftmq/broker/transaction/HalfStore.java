package io.raftmq.broker.transaction;

import io.raftmq.commitlog.message.MessageDraft;

import java.util.concurrent.CompletableFuture;

/**
 * What the leader-side transaction code needs from the rest of the broker: read a stored half message, write a
 * message through the replicated send path ({@code produce.InternalProducer}), propose a {@code TRANSACTION_OP}
 * entry, and the term in which this member may act as leader ({@code replication.LeaderReadiness}). The broker wires
 * the real components; tests wire an in-memory log that applies to {@link PendingHalves}.
 *
 * <p>Threads: any. Futures complete once the record is committed and applied on this member (or fail), possibly
 * on the raft agent thread.
 */
public interface HalfStore {
    /** The stored bytes (docs/protocol.md §3.1) of the committed message at physical offset {@code offset}, or null. */
    byte[] read(long offset);

    /** Appends {@code draft} through the replicated send path. */
    CompletableFuture<?> write(MessageDraft draft);

    /** Proposes a TRANSACTION_OP entry holding {@code op}. */
    CompletableFuture<?> propose(TransactionOp op);

    /** {@code LeaderReadiness.readyTerm()}: the term in which this member leads with everything applied, else 0. */
    long readyTerm();
}
