package io.raftmq.broker.replication;

import io.raftmq.commitlog.message.StoredMessage;

/**
 * Told about every committed message, in log order, right after its MESSAGE entry was dispatched: the hook through
 * which features derive their state from the messages themselves (a half message becomes pending, a commit record
 * naming it in PREPAREDTRANSACTIONOFFSET resolves it, a delivered due message marks its source done). Replaying the
 * log from its start rebuilds the same state on every member.
 *
 * <p>Threads: the raft agent thread only. Implementations filter cheaply (most messages concern no feature), never
 * block and keep nothing of {@code message} beyond the call (it wraps the entry's bytes, in which QUEUEOFFSET and
 * PHYSICALOFFSET are not stamped: use {@code physicalOffset}).
 */
@FunctionalInterface
public interface AppliedMessageListener {
    /**
     * @param index          the Raft index of the entry holding the message
     * @param physicalOffset the message's absolute position in the commit log (what PHYSICALOFFSET holds on disk)
     * @param message        the message, wrapped over the entry's payload
     */
    void onApplied(long index, long physicalOffset, StoredMessage message);
}
